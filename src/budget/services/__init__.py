"""Use cases: one function per action, one transaction each, its audit entry inside.

Transaction convention: **a service never commits; its caller commits once per action.**
Every service takes `db: Session`, `now` (an aware UTC datetime from the edge, so tests pin
time) and plain values. It validates first and raises a `BudgetError` before writing anything;
then it writes, appends its audit entry in the same session and flushes. The caller (a web
handler, the CLI, the demo, a test) then commits, or lets the session roll back:

    with for_writing(Session(engine)) as db:    # db.engine: SQLite begins IMMEDIATE
        account = register(db, now, email=..., password=..., ..., hasher=hasher)
        db.commit()

Why the caller: several actions compose into one transaction when they must stand or fall
together (the demo fills a database all or nothing), and tests run each action inside a
rolled-back outer transaction. `authenticate` is the one service that writes on a refusal (a
wrong password is recorded by the throttle), so it returns None instead of raising: commit
after it whatever it returns.
"""
