"""Word lists the demo generator combines (names, streets, project ideas). Common words only:
every person, street and project of the demo is a random combination, not a copied record."""

from __future__ import annotations

# (INSEE-style code, name, weight): a district budget is weight x 250 000 €.
DISTRICTS: tuple[tuple[str, str, int], ...] = (
    ("75101", "Paris Centre", 8),
    ("75105", "5e arrondissement", 5),
    ("75106", "6e arrondissement", 4),
    ("75107", "7e arrondissement", 4),
    ("75108", "8e arrondissement", 4),
    ("75109", "9e arrondissement", 5),
    ("75110", "10e arrondissement", 7),
    ("75111", "11e arrondissement", 10),
    ("75112", "12e arrondissement", 9),
    ("75113", "13e arrondissement", 11),
    ("75114", "14e arrondissement", 8),
    ("75115", "15e arrondissement", 13),
    ("75116", "16e arrondissement", 9),
    ("75117", "17e arrondissement", 10),
    ("75118", "18e arrondissement", 12),
    ("75119", "19e arrondissement", 12),
    ("75120", "20e arrondissement", 12),
)

FIRST_NAMES = (
    "Amina", "Louis", "Léa", "Jacques", "Sofia", "Karim", "Chloé", "Marc", "Camille", "Hugo",
    "Inès", "Lucas", "Manon", "Nathan", "Sarah", "Théo", "Jade", "Mehdi", "Emma", "Yanis",
    "Zoé", "Paul", "Lina", "Arthur", "Nora", "Gabriel", "Alice", "Rayan", "Louise", "Adam",
    "Julie", "Omar", "Claire", "Antoine", "Fatou", "Victor", "Mei", "Samuel", "Anaïs", "Ibrahim",
    "Élodie", "Bastien", "Yasmine", "Thomas", "Aïcha", "Martin", "Lucie", "Moussa", "Sophie",
    "Julien", "Hélène", "Kevin", "Nadia", "Pierre", "Awa", "Olivier", "Laura", "Rachid",
)  # fmt: skip

LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
    "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guerin",
    "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier",
    "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Diallo", "Nguyen", "Benali",
    "Traoré", "Haddad", "Cohen", "Da Silva", "Kone", "Mendes", "Rossi",
)  # fmt: skip

STREETS = (
    "rue des Lilas", "rue du Marché", "avenue des Tilleuls", "rue de la Fontaine",
    "boulevard des Écoles", "rue du Moulin", "place de la Mairie", "rue des Artisans",
    "quai des Péniches", "rue de l'Église", "allée des Platanes", "rue du Canal",
    "rue des Jardins", "passage des Imprimeurs", "rue de la Gare", "avenue du Parc",
)  # fmt: skip

PLACES = (
    "du square", "de l'école élémentaire", "du collège", "de la médiathèque", "du gymnase",
    "du marché couvert", "de la cour de récréation", "du jardin partagé", "de la piscine",
    "du centre d'animation", "de la halte-garderie", "du terrain de sport",
)  # fmt: skip

# (title start, summary template): is a street or a place.
PROJECT_IDEAS = (
    ("Végétaliser", "Planter des arbres et des massifs pour rafraîchir l'été."),
    ("Rénover les abords", "Refaire les sols, l'éclairage et les bancs."),
    ("Des arceaux vélos", "Installer des arceaux sécurisés pour les vélos."),
    ("Une fontaine à boire", "Ajouter une fontaine d'eau potable accessible à tous."),
    ("Des bancs et de l'ombre", "Poser des bancs et des pergolas pour se reposer."),
    ("Un jardin partagé", "Créer des bacs de culture ouverts aux voisins."),
    ("Sécuriser la traversée", "Élargir les trottoirs et marquer la traversée."),
    ("Un terrain multisport", "Aménager un petit terrain de jeux de ballon."),
    ("Des toilettes publiques", "Installer des sanitaires accessibles et entretenus."),
    ("Une boîte à livres", "Poser une boîte d'échange de livres à l'abri."),
    ("Éclairer le passage", "Remplacer l'éclairage par des lampes sobres et sûres."),
    ("Un composteur de quartier", "Installer un composteur collectif suivi par des voisins."),
)  # fmt: skip
