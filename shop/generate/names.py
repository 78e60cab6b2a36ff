"""Parts of realistic Vietnamese names: producers, products, packs, people.

The product kinds follow the program's six groups and what the demo catalog
(`shop/catalog/demo/catalog.csv`) holds: a base name, the raw material, the packs it is sold
in (label, unit, grams, price factor), a typical price in đồng and its VAT rate.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    base: str
    material: str
    packs: tuple[tuple[str, str, int, float], ...]
    price_vnd: int
    vat_category: str


KCT = "not_subject"  # không chịu thuế: fresh fruit, paddy rice, raw garlic


def _k(base, material, packs, price, vat="10_reducible"):
    return Kind(base, material, tuple(packs), price, vat)


TEA = [("Gói 100 g", "gói", 130, 1.0), ("Hộp 200 g", "hộp", 300, 1.9), ("Hộp 500 g", "hộp", 650, 4.4)]
BAG = [("Túi 250 g", "túi", 280, 1.0), ("Túi 500 g", "túi", 540, 1.9), ("Hộp 1 kg", "hộp", 1100, 3.6)]
JAR = [("Hũ 200 g", "hũ", 260, 1.0), ("Hũ 500 g", "hũ", 620, 2.3), ("Hộp 3 hũ 200 g", "hộp", 850, 2.8)]
BOTTLE = [("Chai 500 ml", "chai", 800, 1.0), ("Chai 1 lít", "chai", 1400, 1.8),
          ("Hộp quà 2 chai 500 ml", "hộp", 1750, 2.2)]
FRUIT = [("Bán theo kg", "kg", 1050, 1.0), ("Thùng 5 kg", "thùng", 5500, 4.6)]
RICE = [("Túi 2 kg", "túi", 2050, 1.0), ("Túi 5 kg", "túi", 5100, 2.4), ("Bao 10 kg", "bao", 10150, 4.7)]
SNACK = [("Gói 200 g", "gói", 230, 1.0), ("Hộp 500 g", "hộp", 600, 2.3), ("Hộp quà 1 kg", "hộp", 1150, 4.4)]
PIECE = [("Cỡ nhỏ", "chiếc", 600, 1.0), ("Cỡ vừa", "chiếc", 1200, 1.7), ("Cỡ lớn", "chiếc", 2000, 2.6)]
SET = [("Bộ 6 chiếc", "bộ", 1800, 1.0), ("Bộ 10 chiếc", "bộ", 2800, 1.6)]
PLANT = [("Chậu nhỏ", "chậu", 1500, 1.0), ("Chậu lớn", "chậu", 6000, 3.0)]
TICKET = [("Vé người lớn", "vé", 0, 1.0), ("Vé trẻ em", "vé", 0, 0.55),
          ("Gói trải nghiệm 1 ngày kèm bữa trưa", "suất", 0, 3.0)]

KINDS: dict[str, list[Kind]] = {
    "food": [
        _k("Trà xanh", "Búp chè tươi", TEA, 150_000), _k("Chè búp", "Búp chè non", TEA, 180_000),
        _k("Trà Shan tuyết", "Chè Shan tuyết cổ thụ", TEA, 260_000),
        _k("Cà phê rang xay", "Cà phê Robusta và Arabica", BAG, 90_000),
        _k("Cà phê hạt rang", "Cà phê Arabica", BAG, 120_000),
        _k("Gạo ST25", "Lúa ST25", RICE, 70_000, KCT),
        _k("Gạo nếp cái hoa vàng", "Lúa nếp cái hoa vàng", RICE, 80_000, KCT),
        _k("Gạo lứt hữu cơ", "Lúa hữu cơ", RICE, 75_000, KCT),
        _k("Mật ong", "Mật ong hoa rừng", JAR, 150_000),
        _k("Mật ong hoa nhãn", "Mật ong hoa nhãn", JAR, 130_000),
        _k("Nước mắm", "Cá cơm than", BOTTLE, 90_000), _k("Nước mắm nhĩ", "Cá cơm", BOTTLE, 140_000),
        _k("Tương bần", "Đỗ tương và gạo nếp", BOTTLE, 30_000),
        _k("Mắm tôm", "Moi biển", JAR, 40_000), _k("Ruốc tôm", "Tôm biển", JAR, 160_000),
        _k("Tôm khô", "Tôm biển", SNACK, 380_000), _k("Mực khô", "Mực ống", SNACK, 700_000),
        _k("Chả cá", "Cá thu", SNACK, 160_000), _k("Cá khô", "Cá biển", SNACK, 180_000),
        _k("Bánh đa", "Gạo tẻ", SNACK, 25_000), _k("Bánh tráng", "Gạo tẻ", SNACK, 28_000),
        _k("Bánh cáy", "Gạo nếp", SNACK, 45_000), _k("Bánh gai", "Lá gai và gạo nếp", SNACK, 50_000),
        _k("Kẹo dừa", "Dừa xiêm", SNACK, 45_000), _k("Kẹo lạc", "Lạc và mật mía", SNACK, 40_000),
        _k("Mì gạo", "Gạo tẻ", SNACK, 35_000), _k("Miến dong", "Củ dong riềng", SNACK, 45_000),
        _k("Bún khô", "Gạo tẻ", SNACK, 30_000), _k("Mứt gừng", "Gừng tươi", SNACK, 60_000),
        _k("Hạt điều rang muối", "Hạt điều", BAG, 120_000), _k("Hạt mắc ca", "Mắc ca", BAG, 165_000),
        _k("Tiêu đen", "Hồ tiêu", BAG, 90_000), _k("Tỏi cô đơn", "Tỏi", BAG, 180_000, KCT),
        _k("Bưởi da xanh", "Bưởi", FRUIT, 55_000, KCT), _k("Xoài cát", "Xoài", FRUIT, 60_000, KCT),
        _k("Cam sành", "Cam", FRUIT, 35_000, KCT), _k("Vải thiều", "Vải", FRUIT, 45_000, KCT),
        _k("Nhãn lồng", "Nhãn", FRUIT, 50_000, KCT),
        _k("Thanh long", "Thanh long", FRUIT, 30_000, KCT),
        _k("Chuối sấy", "Chuối", SNACK, 50_000), _k("Mít sấy", "Mít", SNACK, 65_000),
        _k("Lạp xưởng", "Thịt lợn", SNACK, 190_000), _k("Giò bò", "Thịt bò", SNACK, 220_000),
        _k("Muối tôm", "Muối biển và tôm", JAR, 35_000), _k("Yến sào", "Tổ yến", JAR, 1_500_000),
    ],
    "beverages": [
        _k("Rượu nếp", "Gạo nếp", BOTTLE, 90_000, "10"), _k("Rượu ngô", "Ngô men lá", BOTTLE, 110_000, "10"),
        _k("Rượu sim", "Quả sim rừng", BOTTLE, 150_000, "10"),
        _k("Nước cốt chanh leo", "Chanh leo", BOTTLE, 80_000),
        _k("Nước ép táo mèo", "Táo mèo", BOTTLE, 70_000), _k("Nước yến", "Tổ yến", BOTTLE, 45_000),
        _k("Sữa hạt sen", "Hạt sen", BOTTLE, 35_000),
        _k("Rượu chuối hột", "Chuối hột", BOTTLE, 120_000, "10"),
    ],
    "herbal": [
        _k("Cao cà gai leo", "Cà gai leo", JAR, 280_000, "5"), _k("Trà atiso", "Hoa atiso", TEA, 85_000, "5"),
        _k("Tinh dầu quế", "Vỏ quế", BOTTLE, 120_000, "5"),
        _k("Tinh bột nghệ", "Củ nghệ vàng", JAR, 150_000, "5"),
        _k("Trà hoa vàng", "Hoa trà vàng", TEA, 290_000, "5"), _k("Sâm dây", "Sâm dây", TEA, 350_000, "5"),
        _k("Cao xương khớp", "Thảo dược rừng", JAR, 250_000, "5"),
        _k("Trà túi lọc giảo cổ lam", "Giảo cổ lam", TEA, 70_000, "5"),
    ],
    "handicrafts": [
        _k("Gốm men lam", "Đất sét trắng", SET, 650_000), _k("Đèn mây tre", "Mây và tre", PIECE, 450_000),
        _k("Giỏ cói", "Cói", PIECE, 150_000), _k("Khăn thổ cẩm", "Sợi bông dệt tay", PIECE, 250_000),
        _k("Tranh sơn mài", "Sơn ta", PIECE, 1_200_000), _k("Đũa tre", "Tre già", SET, 60_000),
        _k("Lụa tơ tằm", "Tơ tằm", PIECE, 600_000), _k("Nón lá", "Lá cọ", PIECE, 120_000),
    ],
    "ornamental": [
        _k("Lan hồ điệp", "Lan hồ điệp", PLANT, 450_000), _k("Bonsai sam hương", "Sam hương", PLANT, 900_000),
        _k("Mai vàng", "Mai vàng", PLANT, 700_000), _k("Đào thế", "Đào", PLANT, 800_000),
        _k("Hoa giấy ghép", "Hoa giấy", PLANT, 350_000),
    ],
    "tourism": [
        _k("Du lịch cộng đồng bản", "Bản làng dân tộc", TICKET, 150_000),
        _k("Trải nghiệm làng nghề", "Làng nghề truyền thống", TICKET, 120_000),
        _k("Homestay vườn", "Vườn cây ăn quả", TICKET, 200_000),
        _k("Du lịch sinh thái", "Rừng và suối", TICKET, 180_000),
    ],
}

QUALIFIERS = ("", "", "", "hữu cơ", "truyền thống", "đặc biệt", "thượng hạng", "loại 1", "gia truyền",
              "sạch", "xuất khẩu", "cao cấp")

ACTIVITIES = {
    "food": ("Nông nghiệp", "Chế biến nông sản", "Nông sản sạch", "Nông sản",
             "Dịch vụ nông nghiệp", "Thực phẩm"),
    "beverages": ("Rượu truyền thống", "Đồ uống", "Chế biến nông sản"),
    "herbal": ("Dược liệu", "Thảo dược", "Dược liệu hữu cơ"),
    "handicrafts": ("Thủ công mỹ nghệ", "Mây tre đan", "Gốm sứ", "Dệt thổ cẩm"),
    "ornamental": ("Hoa cây cảnh", "Sinh vật cảnh"),
    "tourism": ("Du lịch cộng đồng", "Du lịch sinh thái", "Dịch vụ du lịch"),
}
BRANDS = ("Hồng Phát", "Minh Long", "An Phú", "Thành Đạt", "Phúc Lộc", "Hoàng Gia", "Việt Xanh",
          "Tâm An", "Đại Thành", "Hưng Thịnh", "Thiên Phú", "Nam Việt", "Kim Ngân", "Bảo Châu",
          "Sông Hồng", "Trường Sơn", "Tây Bắc", "Mekong", "Sao Mai", "Hương Quê", "Đất Việt",
          "Quê Hương", "Hòa Bình", "Thịnh Vượng", "Gia Khang", "Ngọc Lan", "Phú Quý", "Xanh Tươi")
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
MIDDLE = ("Văn", "Thị", "Đức", "Minh", "Hữu", "Thanh", "Ngọc", "Quang", "Xuân", "Thu")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Lan", "Long", "Mai",
         "Nam", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vinh", "Yến", "Hương", "Khoa")
VILLAGES = ("Thôn Đông", "Thôn Tây", "Thôn Trung", "Thôn Thượng", "Thôn Hạ", "Bản Mới", "Xóm Chợ",
            "Ấp Một", "Ấp Hai", "Tổ dân phố 3", "Khu phố 2", "Thôn Bắc")
CARRIERS = ("VNPost", "Viettel Post", "GHN", "GHTK", "J&T Express")


def person(rng) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def producer_name(rng, kind: str, group: str, place: str) -> str:
    """A producer's registered name in the way its kind is named in Vietnam."""
    activity = rng.choice(ACTIVITIES[group])
    if kind == "cooperative":
        return f"HTX {activity} {place}"
    if kind == "cooperative_group":
        return f"Tổ hợp tác {activity.lower()} {place}"
    if kind == "household":
        return rng.choice(("Hộ kinh doanh", "Cơ sở sản xuất", "Hộ SXKD")) + " " + person(rng)
    return rng.choice(("Công ty TNHH", "Công ty CP", "Công ty TNHH MTV")) + f" {rng.choice(BRANDS)} {place}"
