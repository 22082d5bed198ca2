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

# Proposal categories of the demo cycle: (code, French name, English name).
CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("nature", "Nature et climat", "Nature and climate"),
    ("mobilite", "Mobilités", "Getting around"),
    ("cadre-de-vie", "Cadre de vie", "Everyday surroundings"),
    ("solidarite", "Solidarité et santé", "Solidarity and health"),
    ("sport", "Sport", "Sport"),
    ("culture", "Culture et éducation", "Culture and education"),
)

# (title start, summary, category code, what would be built): the summary names no place; the
# generator adds a street and a place.
PROJECT_IDEAS = (
    ("Végétaliser", "Planter des arbres et des massifs pour rafraîchir l'été.", "nature",
     "des fosses d'arbres, des massifs de vivaces et un arrosage goutte à goutte"),
    ("Rénover les abords", "Refaire les sols, l'éclairage et les bancs.", "cadre-de-vie",
     "un sol perméable, un éclairage neuf et des bancs accessibles"),
    ("Des arceaux vélos", "Installer des arceaux sécurisés pour les vélos.", "mobilite",
     "une vingtaine d'arceaux et un abri couvert pour les vélos-cargos"),
    ("Une fontaine à boire", "Ajouter une fontaine d'eau potable accessible à tous.", "solidarite",
     "une fontaine raccordée au réseau, accessible en fauteuil"),
    ("Des bancs et de l'ombre", "Poser des bancs et des pergolas pour se reposer.",
     "cadre-de-vie", "des bancs avec dossier et des pergolas végétalisées"),
    ("Un jardin partagé", "Créer des bacs de culture ouverts aux voisins.", "nature",
     "des bacs de culture, un point d'eau et un abri à outils"),
    ("Sécuriser la traversée", "Élargir les trottoirs et marquer la traversée.", "mobilite",
     "des trottoirs élargis, un plateau surélevé et un marquage neuf"),
    ("Un terrain multisport", "Aménager un petit terrain de jeux de ballon.", "sport",
     "un terrain clos au sol souple, avec paniers et buts"),
    ("Des toilettes publiques", "Installer des sanitaires accessibles et entretenus.",
     "solidarite", "des sanitaires accessibles, nettoyés chaque jour"),
    ("Une boîte à livres", "Poser une boîte d'échange de livres à l'abri.", "culture",
     "une boîte à livres étanche et un banc pour lire"),
    ("Éclairer le passage", "Remplacer l'éclairage par des lampes sobres et sûres.",
     "cadre-de-vie", "des lampes basse consommation, orientées vers le sol"),
    ("Un composteur de quartier", "Installer un composteur collectif suivi par des voisins.",
     "nature", "trois bacs de compostage et une formation des voisins référents"),
    ("Des agrès de plein air", "Installer des agrès de sport en libre accès.", "sport",
     "des barres, un banc de musculation et un panneau d'exercices"),
    ("Une fresque participative", "Peindre un mur avec les habitants et les écoles.", "culture",
     "une fresque conçue en ateliers avec les écoles du quartier"),
)  # fmt: skip

# Paragraphs the demo descriptions are built from (Markdown).
REASONS = (
    "L'été, l'endroit devient une fournaise et les habitants l'évitent.",
    "Les enfants de l'école voisine passent ici chaque jour, matin et soir.",
    "Le lieu est très fréquenté, mais rien n'invite à s'y arrêter.",
    "Les voisins en parlent depuis longtemps aux conseils de quartier.",
    "Les personnes âgées du quartier manquent d'endroits où se poser.",
)  # fmt: skip

BENEFITS = (
    "un lieu plus agréable pour tous les âges",
    "moins de chaleur en été",
    "des rencontres entre voisins",
    "plus de sécurité pour les enfants",
    "un entretien simple et peu coûteux",
    "un usage libre, sans inscription",
)  # fmt: skip

# Approximate centre (latitude, longitude in micro-degrees) of each district of DISTRICTS, in
# the same order: demo proposals are placed a few hundred metres around it.
CENTRES: tuple[tuple[int, int], ...] = (
    (48_861_000, 2_347_000), (48_844_500, 2_350_000), (48_849_000, 2_333_000),
    (48_856_000, 2_312_500), (48_872_500, 2_312_500), (48_877_000, 2_337_500),
    (48_876_000, 2_360_000), (48_859_000, 2_380_000), (48_840_000, 2_395_000),
    (48_828_000, 2_362_000), (48_829_000, 2_327_000), (48_840_000, 2_293_000),
    (48_860_000, 2_270_000), (48_887_000, 2_307_000), (48_892_000, 2_348_000),
    (48_887_000, 2_384_000), (48_863_000, 2_401_000),
)  # fmt: skip
