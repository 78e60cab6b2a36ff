"""Benchmark: search at national scale: 20,000 generated products, index build time, query
latency (p50/p95) for a mix of narrow and broad queries, index size; Whoosh or PostgreSQL.

The products are written straight into a fresh scratch database (a SQLite file by default,
or PostgreSQL with --database-url: its public schema is dropped and recreated): Vietnamese
names from the six OCOP groups, wards and provinces from the reference data, old province
names for a third of them, a description and an origin story. Each query is timed end to end
through `search.query` (engine, listing filter on the day, facets, one page, snippets).

    .venv/bin/python bench/search.py
    .venv/bin/python bench/search.py --backend postgres \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/ocop_bench
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.pos_sync import fresh_app  # noqa: E402
from shop.extensions import db  # noqa: E402
from shop.text import fold  # noqa: E402

DAY = date(2026, 11, 22)
WORDS = {
    "food": ["Chè", "Trà xanh", "Cà phê", "Nước mắm", "Mật ong", "Gạo", "Bánh", "Kẹo", "Mứt",
             "Miến dong", "Tương", "Mắc ca", "Tỏi", "Muối", "Tôm khô", "Mực khô", "Yến sào",
             "Vải thiều", "Sầu riêng", "Quýt", "Bưởi", "Nhãn lồng", "Chả mực", "Giò", "Nem chua"],
    "beverages": ["Rượu cần", "Rượu táo mèo", "Nước ép", "Trà thảo mộc", "Rượu nếp", "Sữa"],
    "herbal": ["Cao cà gai leo", "Trà atiso", "Tinh dầu sả", "Cao dược liệu", "Nghệ", "Sâm"],
    "handicrafts": ["Gốm", "Mây tre đan", "Thổ cẩm", "Đèn mây tre", "Nón lá", "Chiếu cói",
                    "Ngọc trai", "Đồ gỗ"],
    "ornamental": ["Lan", "Bonsai", "Đào", "Mai vàng", "Cá cảnh"],
    "tourism": ["Du lịch bản làng", "Homestay", "Du lịch sinh thái", "Làng nghề"],
}
QUALIFIERS = ["thơm", "truyền thống", "hữu cơ", "đặc biệt", "loại 1", "sấy khô", "nguyên chất",
              "thượng hạng", "rừng", "núi", "quê", "xanh", "vàng", "tím"]
# Narrow: one product's words as a shopper types them (no diacritics, a half word, a typo),
# completed by names picked from the generated catalog; broad: a group or a province.
NARROW = ["mat ong dong van", "ruou tao meo sa pa", "cao ca gai leo", "non la hue", "gom huu co",
          "nuoc ma"]
BROAD = ["che", "tea", "coffee", "banh", "ha giang", "gao", "huu co", "fish sauce", "honey",
         "du lich"]


def generate(app, count: int, seed: int = 2026) -> list[str]:
    """`count` listed products of about count/5 producers, written with bulk inserts."""
    from shop.catalog.models import Producer, Product
    from shop.places.models import FormerProvince, Province, Ward

    rng = random.Random(seed)
    with app.app_context():
        provinces = db.session.scalars(db.select(Province)).all()
        wards = {p.code: db.session.scalars(db.select(Ward.name).where(Ward.province_code == p.code)).all()
                 for p in provinces}
        formers = {}
        for former in db.session.scalars(db.select(FormerProvince)):
            formers.setdefault(former.province_code, []).append(former)
        producers = []
        for n in range(count // 5):
            province = rng.choice(provinces)
            producers.append({"id": n + 1, "name": f"HTX {rng.choice(wards[province.code])} {n}",
                              "slug": f"htx-{n}", "kind": "cooperative", "tax_code": f"{4600000000 + n}",
                              "province_code": province.code, "address": "", "story": "",
                              "status": "active", "created_at": datetime(2025, 1, 1)})
        db.session.execute(db.insert(Producer), producers)
        rows = []
        for n in range(count):
            maker = producers[n // 5]
            code = maker["province_code"]
            group = rng.choice(list(WORDS))
            ward = rng.choice(wards[code])
            former = rng.choice(formers[code]) if formers.get(code) and n % 3 == 0 else None
            place = f"{ward}, {former.name if former else next(p.name for p in provinces if p.code == code)}"
            name = f"{rng.choice(WORDS[group])} {rng.choice(QUALIFIERS)} {ward} {n}"
            rows.append({
                "id": n + 1, "producer_id": maker["id"], "name": name, "slug": f"p-{n}",
                "group": group, "locality": place, "raw_material_origin": f"Vùng {ward}",
                "description": f"{name}: sản phẩm OCOP của {maker['name']}, làm từ nguyên liệu "
                               f"vùng {place}. Đóng gói {rng.choice(['hộp', 'túi', 'chai'])}, "
                               "bảo quản nơi khô ráo, thoáng mát.",
                "origin_story": f"<p>Người dân {ward} làm {rng.choice(WORDS[group]).lower()} "
                                "theo cách truyền thống từ nhiều đời.</p>",
                "province_code": code, "former_province_code": former.code if former else None,
                "status": "active", "stars": rng.choice((3, 3, 4, 4, 5)),
                "certified_until": date(2027 + n % 3, 6, 30), "min_price_vnd": rng.randrange(50, 900) * 1000,
                "created_at": datetime(2025, 1, 1), "updated_at": datetime(2025, 1, 1)})
        for i in range(0, len(rows), 2000):
            db.session.execute(db.insert(Product), rows[i:i + 2000])
        db.session.commit()
    picked = [fold(" ".join(row["name"].split()[:-1])) for row in rng.sample(rows, 4)]
    return picked + [fold(rows[7]["name"].split()[0]) + " " + fold(rows[7]["locality"])[:-2]]


def index_size(app, backend: str) -> int:
    if backend == "postgres":
        return db.session.scalar(db.text("SELECT pg_total_relation_size('search_document')"))
    return sum(f.stat().st_size for f in Path(app.config["SEARCH_INDEX_DIR"]).iterdir())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def time_queries(texts: list[str], rounds: int) -> tuple[list[float], list[float]]:
    from shop import search
    from shop.catalog.queries import Filters

    wall, cpu = [], []
    for _ in range(rounds):
        for text in texts:
            started, started_cpu = time.perf_counter(), time.process_time()
            search.query(text, Filters(), DAY)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--backend", choices=("whoosh", "postgres"), default="whoosh")
    parser.add_argument("--products", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    from shop import search
    from shop.catalog.queries import Filters

    with tempfile.TemporaryDirectory() as workdir:
        app = fresh_app(args.database_url, Path(workdir))
        app.config.update(SEARCH_BACKEND=args.backend, SEARCH_INDEX_DIR=str(Path(workdir) / "index"))
        started = time.perf_counter()
        NARROW.extend(generate(app, args.products))
        generated = time.perf_counter() - started
        with app.app_context():
            started, started_cpu = time.perf_counter(), time.process_time()
            indexed = search.reindex()
            build, build_cpu = time.perf_counter() - started, time.process_time() - started_cpu
            time_queries(NARROW + BROAD, 1)  # warm the caches
            (narrow, narrow_cpu), (broad, broad_cpu) = (time_queries(NARROW, args.rounds),
                                                        time_queries(BROAD, args.rounds))
            both, both_cpu = narrow + broad, narrow_cpu + broad_cpu
            totals = {t: search.query(t, Filters(), DAY).total
                      for t in NARROW + BROAD}
            result = {
                "backend": args.backend, "engine": db.engine.dialect.name, "products": indexed,
                "generate_s": round(generated, 1), "build_s": round(build, 1),
                "build_cpu_s": round(build_cpu, 1),
                "index_mb": round(index_size(app, args.backend) / 1e6, 1),
                "queries": len(both),
                "narrow_p50_ms": round(statistics.median(narrow), 1),
                "narrow_p95_ms": round(percentile(narrow, 0.95), 1),
                "broad_p50_ms": round(statistics.median(broad), 1),
                "broad_p95_ms": round(percentile(broad, 0.95), 1),
                "all_p50_ms": round(statistics.median(both), 1),
                "all_p95_ms": round(percentile(both, 0.95), 1),
                "all_cpu_p50_ms": round(statistics.median(both_cpu), 1),
                "all_cpu_p95_ms": round(percentile(both_cpu, 0.95), 1),
                "load_average": [round(x, 1) for x in os.getloadavg()],
                "matches": totals,
            }
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
