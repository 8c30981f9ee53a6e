#!/usr/bin/env python3
"""Writes examples/signups/: a SYNTHETIC sign-up form export of 300 European
municipalities, as a form tool would give it (semicolon-separated, UTF-8 with a BOM, as
Excel saves CSV in most of Europe), with the mapping that reads it. Names are written as
people write them: in capitals, without diacritics, with "Gmina", "Stadt", "Comune di",
"Municipality of"; English names of large cities; a few misspelt, a few sharing a name
with other places, a few not in the registry at all, and one municipality signed up twice.
The answers are invented. Deterministic (seeded); run from the repository root:

    python3 scripts/make-signups-example.py
"""
import csv, random, unicodedata

rng = random.Random(20261207)
with open("Data/partners.csv", newline="", encoding="utf-8") as f:
    partners = list(csv.DictReader(f))
sectors = [k[len("offer_"):] for k in partners[0] if k.startswith("offer_")]
COUNTRY = {"PL": ["Poland", "Polska", "PL"], "DE": ["Germany", "Deutschland", "DE"], "FR": ["France", "FR"],
           "IT": ["Italy", "Italia", "IT"], "AT": ["Austria", "Österreich"], "CZ": ["Czechia", "Česko"],
           "LT": ["Lithuania", "Lietuva"], "ES": ["Spain", "España"], "NL": ["Netherlands", "Nederland"],
           "RO": ["Romania", "România"], "SK": ["Slovakia", "Slovensko"], "SE": ["Sweden", "Sverige"],
           "EL": ["Greece", "Ελλάδα"], "BG": ["Bulgaria", "България"]}
PREFIX = {"PL": "Gmina ", "DE": "Stadt ", "AT": "Gemeinde ", "IT": "Comune di ", "FR": "Ville de ", "RO": "Municipiul "}
ENGLISH = [("Munich", "DE"), ("Warsaw", "PL"), ("Vienna", "AT"), ("Prague", "CZ"), ("Cologne", "DE"), ("Milan", "IT"),
           ("Lisbon", "PT"), ("Gothenburg", "SE")]
LEVELS = ["none", "some", "strong"]
AREAS = {"energy": "Energy efficiency", "water": "Water and sanitation", "waste": "Waste management",
         "housing": "Housing", "transport": "Public transport", "health": "Health care", "education": "Schools",
         "social": "Social services", "culture": "Culture", "economy": "Local economy", "agriculture": "Agriculture",
         "governance": "Good governance", "digital": "Digital services", "planning": "Urban planning",
         "environment": "Environment", "civil_protection": "Civil protection", "participation": "Citizen participation"}


def plain(text):
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn").replace("ł", "l").replace("Ł", "L")


pool = [p for p in partners if p["country"] in COUNTRY and 2_000 <= float(p["population"]) <= 400_000]
chosen = rng.sample(pool, 282)
rows = []
for k, p in enumerate(chosen):
    name = p["name"].split(",")[0] if rng.random() < 0.6 else p["name"]
    if p["country"] in ("EL", "BG") and rng.random() < 0.5:
        name = p["name_en"]
    style = rng.random()
    if style < 0.15:
        name = name.upper()
    elif style < 0.35:
        name = plain(name)
    elif style < 0.55:
        name = PREFIX.get(p["country"], "Municipality of ") + name
    if k % 40 == 7:   # a typing slip: two letters swapped
        i = rng.randrange(1, max(2, len(name) - 2))
        name = name[:i] + name[i + 1] + name[i] + name[i + 2:]
    rows.append((name, rng.choice(COUNTRY[p["country"]]), p.get("region") if rng.random() < 0.3 else ""))
for name, country in ENGLISH:
    rows.append((name, country, ""))
for name, country in [("Neustadt", "DE"), ("Nowa Wieś", "PL"), ("Saint-Martin", "FR"), ("Sankt Johann", "AT")]:
    rows.append((name, country, ""))   # names many places share
for name, country in [("Atlantis", "Greece"), ("Gmina Nibylandia", "Poland"), ("Entenhausen", "Germany")]:
    rows.append((name, country, ""))   # not in the registry
rows.append(rows[3])                   # signed up twice
rng.shuffle(rows)

with open("examples/signups/partners-export.csv", "w", newline="", encoding="utf-8-sig") as f:
    w = csv.writer(f, delimiter=";", lineterminator="\r\n")
    w.writerow(["Submitted", "Municipality", "Country", "NUTS 3 (if known)", "How many partners?", "What can you offer?",
                "Energy", "Water", "Contact person", "Contact e-mail"])
    for k, (name, country, region) in enumerate(rows):
        areas = rng.sample(sorted(AREAS), rng.randint(1, 4))
        w.writerow([f"2026-11-{1 + k % 28:02d} {9 + k % 9}:{k % 60:02d}", name, country, region, rng.choice(["1", "1", "2", "3"]),
                    "; ".join(AREAS[a] for a in areas), rng.choice(LEVELS), f"{rng.random():.2f}".replace(".", ","),
                    f"Contact {k + 1}", f"contact{k + 1}@example.org"])
with open("examples/signups/partners-mapping.yaml", "w", encoding="utf-8") as f:
    f.write("# examples/signups/partners-mapping.yaml\n")
    f.write("# Which column of partners-export.csv holds what (twinning intake partners --mapping).\n")
    f.write("name: Municipality\ncountry: Country\nregion: NUTS 3 (if known)\nslots: How many partners?\n")
    f.write("offers:\n  column: What can you offer?\n  separator: \";\"\n  answers:\n")
    for sector, answer in AREAS.items():
        f.write(f"    {answer}: {sector}\n")
    f.write("keep: [Contact person, Contact e-mail]\n")
# The Ukrainian side: a few hromadas' requests, in Ukrainian and in Latin letters, as they
# write their names ("… сільська територіальна громада", "… miska hromada").
with open("Data/hromadas.csv", newline="", encoding="utf-8") as f:
    hromadas = list(csv.DictReader(f))
SUFFIX = [" сільська територіальна громада", " міська територіальна громада", " громада", " ТГ", ""]
requests = []
for h in rng.sample(hromadas, 24):
    name = h["name"] + rng.choice(SUFFIX) if rng.random() < 0.6 else h["name_en"] + rng.choice([" hromada", ""])
    requests.append((name, h["region"] if rng.random() < 0.4 else "", rng.choice(["1", "2", "3"]), rng.choice(["так", "так", "ні"])))
with open("examples/signups/hromadas-requests.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["Громада", "Область", "Скільки партнерів", "Шукаємо партнерів зараз"] + [f"Потреба: {AREAS[s]}" for s in sectors[:5]])
    for name, region, slots, seeking in requests:
        w.writerow([name, region, slots, seeking] + [rng.choice(LEVELS) for _ in sectors[:5]])
with open("examples/signups/hromadas-mapping.yaml", "w", encoding="utf-8") as f:
    f.write("# examples/signups/hromadas-mapping.yaml\n")
    f.write("# Which column of hromadas-requests.csv holds what (twinning intake hromadas --mapping).\n")
    f.write("name: Громада\nregion: Область\nslots: Скільки партнерів\nseeking: Шукаємо партнерів зараз\nneeds:\n")
    for sector in sectors[:5]:
        f.write(f"  {sector}: \"Потреба: {AREAS[sector]}\"\n")
print(f"{len(rows)} synthetic sign-ups written to examples/signups/partners-export.csv, {len(requests)} requests to hromadas-requests.csv")
