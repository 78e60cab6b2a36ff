"""Reference data: regions, the 34 provinces and their wards, and the 63 former provinces."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.extensions import db

REGION_CODES = ("NMM", "RRD", "NCC", "CH", "SE", "MD")


class Region(db.Model):
    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    position: Mapped[int]


class Province(db.Model):
    __tablename__ = "province"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    full_name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), index=True)

    region: Mapped[Region] = relationship(lazy="joined")


class Ward(db.Model):
    __tablename__ = "ward"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    full_name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(100))
    province_code: Mapped[str] = mapped_column(ForeignKey("province.code"), index=True)


class FormerProvince(db.Model):
    """A province of before 2025-07-01, named on older certificates and packaging."""

    __tablename__ = "former_province"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    full_name: Mapped[str] = mapped_column(String(120))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    province_code: Mapped[str] = mapped_column(ForeignKey("province.code"), index=True)
