#!/usr/bin/env python3
"""Builds Data/ from the raw public files in ../shared/data/raw.

    python3 scripts/build-data.py [--raw DIR] [--out DIR]

Deterministic: the same raw files give byte-identical outputs (fixed seed, sorted
rows, fixed float formatting). Standard library only. Data/README.md states every
formula used here; keep the two in step.
"""
import argparse
import csv
import math
import os
import random
import statistics
import sys
from collections import Counter, defaultdict

SECTORS = ["energy", "water", "waste", "housing", "transport", "health", "education",
           "social", "culture", "economy", "agriculture", "governance", "digital",
           "planning", "environment", "civil_protection", "participation"]
SEED = 20221024          # the synthetic offer survey's seed
VOLUNTEER_TARGET = 2500  # expected number of volunteering European LAUs
# Names the raw LAU file lost. IT_001168 (ISTAT 001168, Turin, 7,948 inhabitants at
# 44.93° N 7.54° E) is the comune of None: its name arrives empty, most likely read as a
# missing value upstream. A partner without a name cannot be proposed to anyone.
NAME_REPAIRS = {"IT_001168": "None"}


def fmt(x, digits=4):
    """Fixed, platform-independent number formatting."""
    s = f"{x:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def clip01(x):
    return max(0.0, min(1.0, x))


def percentile_ranks(values):
    """Share of the other values strictly below each value, in [0, 1]. Tied values share
    the lowest rank of their group, so the 857 hromadas with no recorded event all get 0
    (a mid-rank would give them about 0.29: "somewhat affected" for places with nothing)."""
    order = sorted(values)
    n = len(order)
    first = {}
    for k, v in enumerate(order):
        first.setdefault(v, k)
    return [first[v] / max(n - 1, 1) for v in values]


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def density_profile(population, area_km2):
    """`profile_urban`, the same on both sides: log10(inhabitants per km²) / 3.5 in [0, 1]
    (1 from about 3,160 per km², a dense town; 0 at 1 per km² and below)."""
    density = population / area_km2 if area_km2 > 0 else 100.0
    return clip01(math.log10(max(density, 1.0)) / 3.5)


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(path, header, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    os.replace(tmp, path)


def hromada_level(type_en):
    return {"city": "city", "settlement": "settlement", "village": "village"}[type_en]


def lau_level(population):
    if population >= 20000:
        return "city"
    if population >= 5000:
        return "settlement"
    return "village"


# `war_status_sep_2022` of the raw file → the `status` column.
STATUS = {"occupied": "occupied", "deoccupied": "deoccupied", "not occupied, in the war zone": "war_zone",
          "not occupied": "not_occupied"}


def build_hromadas(raw):
    rows = read(os.path.join(raw, "ua_hromadas.csv"))
    damage = {r["katotth"]: r for r in read(os.path.join(raw, "ua_hromada_war_damage_2022_2023.csv")) if r["katotth"]}
    pop = [float(r["population_2022"]) for r in rows]
    sar = [float(damage[r["katotth"]]["sar_damage_pct_of_builtup"] or 0) for r in rows]
    events = [float(damage[r["katotth"]]["viina_events_mar2022_oct2023"] or 0) for r in rows]
    events_per_10k = [e / p * 1e4 for e, p in zip(events, pop)]
    D = percentile_ranks(sar)                       # physical damage
    E = [0.5 * a + 0.5 * b for a, b in zip(percentile_ranks(events), percentile_ranks(events_per_10k))]
    S = [1 - x for x in percentile_ranks(pop)]      # smallness
    # Kyiv's row has no distance to Russia or Belarus: it gets the mean of its five
    # nearest hromada centres' (87-103 km), not a default that would place it 1,000 km away.
    border = {}
    for r in rows:
        if r["distance_to_russia_or_belarus_km"]:
            border[r["katotth"]] = float(r["distance_to_russia_or_belarus_km"])
            continue
        lat, lon = float(r["lat"]), float(r["lon"])
        known = [o for o in rows if o["distance_to_russia_or_belarus_km"]]
        known.sort(key=lambda o: (haversine_km(lat, lon, float(o["lat"]), float(o["lon"])), o["katotth"]))
        border[r["katotth"]] = sum(float(o["distance_to_russia_or_belarus_km"]) for o in known[:5]) / 5
    out = []
    for k, r in enumerate(rows):
        status = r["war_status_sep_2022"]
        O = {"occupied": 1.0, "deoccupied": 0.8, "not occupied, in the war zone": 0.5}.get(status, 0.0)
        F = math.exp(-border[r["katotth"]] / 100)                                    # front/border proximity
        U = clip01(float(r["urban_population_2022"] or 0) / pop[k])                  # urban share
        R = 1 - U
        T = clip01(float(r["travel_time_to_oblast_center_min"] or 0) / 120)          # remoteness
        sea = 1.0 if r["near_sea_30km"] == "1" else 0.0
        d, e, s = D[k], E[k], S[k]
        need = {
            "energy": 0.5 * d + 0.3 * e + 0.2 * F,
            "water": 0.5 * d + 0.3 * O + 0.2 * sea,
            "waste": 0.6 * d + 0.4 * U,
            "housing": 0.7 * d + 0.3 * O,
            "transport": 0.4 * d + 0.3 * e + 0.3 * T,
            "health": 0.4 * e + 0.3 * O + 0.3 * T,
            "education": 0.4 * d + 0.3 * e + 0.3 * s,
            "social": 0.4 * e + 0.3 * O + 0.3 * s,
            "culture": 0.5 * d + 0.3 * U + 0.2 * O,
            "economy": 0.4 * e + 0.3 * F + 0.3 * s,
            "agriculture": 0.5 * R + 0.3 * O + 0.2 * F,
            "governance": 0.5 * O + 0.5 * s,
            "digital": 0.5 * R + 0.5 * T,
            "planning": 0.6 * d + 0.4 * O,
            "environment": 0.5 * d + 0.3 * O + 0.2 * sea,
            "civil_protection": 0.5 * F + 0.5 * e,
            "participation": 0.6 * s + 0.4 * R,
        }
        p = pop[k]
        profile = density_profile(p, float(r["area_km2"]))
        slots = 1 + (p >= 50000) + (p >= 250000)
        out.append([r["katotth"], r["name_uk"], r["name_en"], hromada_level(r["type_en"]), "UA",
                    r["oblast_en"], str(int(p)), r["lat"], r["lon"], str(slots), "", STATUS[status]]
                   + [fmt(clip01(need[x]), 3) for x in SECTORS]
                   + [fmt(profile, 3), fmt(1 - profile, 3)])
    out.sort(key=lambda r: r[0])
    header = ["id", "name", "name_en", "level", "country", "region", "population", "lat", "lon", "slots", "seeking",
              "status"] + ["need_" + x for x in SECTORS] + ["profile_urban", "profile_rural"]
    return header, out


def lau_populations(raw, rows):
    """Each LAU's population and where it comes from, or None for an uninhabited unit.

    - `eurostat`: the LAU figure;
    - uninhabited (left out of partners.csv): a figure of 0 (German unincorporated
      forests and lakes, the Cypriot communities in the north, ...), and the Swiss units
      without a figure, which are lakes, state forests and common land, not communes;
    - `geonames`: no figure, but GeoNames places of 15,000 or more lie in the LAU (all of
      Iceland's larger towns): the sum of their populations, a lower bound;
    - `nuts3_median`: no figure and no such place: the median of the NUTS3 region's LAUs,
      `country_median` where the region has none, `europe_median` where the country has
      none either (the rest of Iceland: its places under 15,000 have no figure here).
    """
    places = defaultdict(int)
    for g in read(os.path.join(raw, "geonames_cities15000_europe_ua.csv")):
        if g["lau_gisco_id"]:
            places[g["lau_gisco_id"]] += int(g["population"])
    known = [r for r in rows if r["population"] and float(r["population"]) > 0]
    by_nuts3, by_country = defaultdict(list), defaultdict(list)
    for r in known:
        by_nuts3[r["nuts3"]].append(float(r["population"]))
    out = {}
    for r in rows:
        lau = r["gisco_id"]
        if r["population"] and float(r["population"]) > 0:
            out[lau] = (int(float(r["population"])), "eurostat")
        elif r["population"] or r["country"] == "CH":
            out[lau] = None
        elif lau in places:
            out[lau] = (places[lau], "geonames")
        elif r["nuts3"] in by_nuts3:
            out[lau] = (int(statistics.median(by_nuts3[r["nuts3"]])), "nuts3_median")
    for r in known:
        by_country[r["country"]].append(float(r["population"]))
    everywhere = statistics.median(float(r["population"]) for r in known)
    for r in rows:
        if r["gisco_id"] not in out:
            pops = by_country.get(r["country"])
            out[r["gisco_id"]] = (int(statistics.median(pops)), "country_median") if pops else (int(everywhere), "europe_median")
    return out


def build_partners(raw):
    rows = read(os.path.join(raw, "eu_lau_2020.csv"))
    rows.sort(key=lambda r: r["gisco_id"])
    populations = lau_populations(raw, rows)
    # Fill-ins for missing coordinates: the NUTS3 region's mean centre, flagged in coord_source.
    by_nuts3 = defaultdict(list)
    for r in rows:
        by_nuts3[r["nuts3"]].append(r)
    nuts3_centre = {}
    for code, members in by_nuts3.items():
        pts = [(float(m["lat"]), float(m["lon"])) for m in members if m["lat"]]
        if pts:
            nuts3_centre[code] = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
    by_nuts2 = defaultdict(list)
    for code, c in nuts3_centre.items():
        by_nuts2[code[:4]].append(c)

    # Volunteering depends on size alone: nothing about real twin pairs goes into the
    # draw, so the offers (and the `needs` component) carry no information about the truth.
    def size_factor(p):
        return min(1.0, (p / 20000.0) ** 0.7)
    inhabited = [r for r in rows if populations[r["gisco_id"]] is not None]
    raw_p = [size_factor(populations[r["gisco_id"]][0]) for r in inhabited]
    scale = VOLUNTEER_TARGET / sum(raw_p)
    rng = random.Random(SEED)

    out = []
    for r, q in zip(inhabited, raw_p):
        lat, lon, coord_source = r["lat"], r["lon"], r["coord_source"]
        if not lat:
            c = nuts3_centre.get(r["nuts3"])
            if c is None:
                pts = by_nuts2.get(r["nuts3"][:4], [])
                c = (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))
            lat, lon, coord_source = fmt(c[0], 5), fmt(c[1], 5), "nuts3_mean"
        p, population_source = populations[r["gisco_id"]]
        volunteer = rng.random() < min(0.9, q * scale)
        offers = [0.0] * len(SECTORS)
        if volunteer:
            base = [rng.random() ** 2 * 0.4 for _ in SECTORS]
            strong = rng.sample(range(len(SECTORS)), rng.randint(3, 6))
            for k in strong:
                base[k] = rng.uniform(0.6, 1.0)
            offers = base
        urban = density_profile(p, float(r["area_km2"]) if r["area_km2"] else 0.0)
        slots = 1 + (p >= 100000) + (p >= 500000)
        name = r["lau_name"] or NAME_REPAIRS.get(r["gisco_id"], "")
        if not name.strip():
            sys.exit(f"error: eu_lau_2020.csv: {r['gisco_id']} has no name: add it to NAME_REPAIRS with its source")
        out.append([r["gisco_id"], name, r["lau_name_latin"] or name, lau_level(p), r["country"],
                    r["eu_member"], r["nuts2"], r["nuts3"], str(p), population_source, lat, lon, coord_source,
                    str(slots), "1" if volunteer else "0", "1" if volunteer else "0"]
                   + [fmt(x, 3) for x in offers] + [fmt(urban, 3), fmt(1 - urban, 3)])
    header = ["id", "name", "name_en", "level", "country", "eu_member", "nuts2", "region", "population",
              "population_source", "lat", "lon", "coord_source", "slots", "volunteer", "offers_synthetic"] \
        + ["offer_" + x for x in SECTORS] + ["profile_urban", "profile_rural"]
    left_out = Counter(r["country"] for r in rows if populations[r["gisco_id"]] is None)
    return header, out, left_out


def build_ties(raw, hromada_ids, partner_ids):
    rows = read(os.path.join(raw, "twin_pairs_ua_wikipedia.csv"))
    matched = [r for r in rows if r["ua_hromada_katotth"] and r["partner_lau_gisco_id"]]
    seen, out, skipped = set(), [], Counter()
    for r in matched:
        key = (r["ua_hromada_katotth"], r["partner_lau_gisco_id"])
        if r["ua_hromada_katotth"] not in hromada_ids:
            skipped["hromada not in hromadas.csv (" + r["ua_match_method"] + ")"] += 1
            continue
        if r["partner_lau_gisco_id"] not in partner_ids:
            skipped["LAU not in partners.csv"] += 1
            continue
        if key in seen:
            skipped["duplicate pair"] += 1
            continue
        seen.add(key)
        out.append([key[0], key[1], "existing", r["ua_city"], r["partner_city"], r["ua_match_method"],
                    r["partner_match_method"], r["sources"]])
    out.sort(key=lambda r: (r[0], r[1]))
    header = ["ua_id", "eu_id", "status", "ua_city", "partner_city", "ua_match_method", "eu_match_method", "source"]
    return header, out, matched, skipped


# Carried into every output made from these files (proposals.json, the HTML report):
# the attribution the sources ask for. The tool reads ATTRIBUTION.txt beside its inputs.
ATTRIBUTION = (
    "Hromadas: KSE Institute, KSE-Loc-Data-Hub (MIT), from the State Statistics Service of Ukraine, "
    "the Ministry of Reintegration and OpenStreetMap (\u00a9 OpenStreetMap contributors, ODbL 1.0); "
    "names from OCHA COD-AB (CC BY-IGO 3.0); GeoNames (CC BY 4.0). "
    "War damage and events: Witmer et al., fwitmer/ukraine-damage (Apache-2.0), from Copernicus Sentinel-1, "
    "JRC GHS (CC BY 4.0) and VIINA (ODbL 1.0). "
    "European LAUs: \u00a9 Eurostat; \u00a9 EuroGeographics for the administrative boundaries; centres by EDJNet/OBCT; "
    "GeoNames (CC BY 4.0). "
    "Twin towns: English Wikipedia contributors (CC BY-SA 4.0). "
    "Country outlines: Made with Natural Earth (public domain). "
    "Partners' offers are synthetic.\n"
)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", default=os.path.join(here, "..", "..", "shared", "data", "raw"))
    ap.add_argument("--out", default=os.path.join(here, "..", "Data"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    h_header, hromadas = build_hromadas(a.raw)
    p_header, partners, uninhabited = build_partners(a.raw)
    t_header, ties, matched, skipped = build_ties(a.raw, {r[0] for r in hromadas}, {r[0] for r in partners})
    write(os.path.join(a.out, "hromadas.csv"), h_header, hromadas)
    write(os.path.join(a.out, "partners.csv"), p_header, partners)
    write(os.path.join(a.out, "ties.csv"), t_header, ties)
    # Country outlines for the report's map, as published (public domain).
    with open(os.path.join(a.raw, "naturalearth_countries_europe_110m.geojson"), "rb") as src:
        outlines = src.read()
    with open(os.path.join(a.out, "countries.geojson"), "wb") as dst:
        dst.write(outlines)
    with open(os.path.join(a.out, "ATTRIBUTION.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write(ATTRIBUTION)
    volunteers = sum(1 for r in partners if r[14] == "1")
    sources = Counter(r[9] for r in partners)
    print(f"hromadas.csv: {len(hromadas)} rows; partners.csv: {len(partners)} rows, {volunteers} synthetic "
          f"volunteers, populations {dict(sorted(sources.items()))}, uninhabited left out "
          f"{sum(uninhabited.values())} {dict(sorted(uninhabited.items()))}; ties.csv: {len(ties)} of {len(matched)} matched pairs "
          f"({', '.join(f'{n} {why}' for why, n in sorted(skipped.items()))})", file=sys.stderr)


if __name__ == "__main__":
    main()
