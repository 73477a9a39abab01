"""Seed data: the 32 industry chains of Guizhou's promotion programme, each with its category."""

from __future__ import annotations

# (code, name, category)
CHAINS: list[tuple[str, str, str]] = [
    # 十大工业产业
    ("IND_ENERGY", "基础能源", "INDUSTRY"),
    ("IND_CLEAN_POWER", "清洁高效电力", "INDUSTRY"),
    ("IND_TOBACCO_LIQUOR", "优质烟酒", "INDUSTRY"),
    ("IND_BUILDING_MATERIALS", "新型建材", "INDUSTRY"),
    ("IND_CHEMICALS", "现代化工", "INDUSTRY"),
    ("IND_EQUIPMENT", "先进装备制造", "INDUSTRY"),
    ("IND_BASIC_MATERIALS", "基础材料", "INDUSTRY"),
    ("IND_FOOD", "生态特色食品", "INDUSTRY"),
    ("IND_BIGDATA", "大数据电子信息", "INDUSTRY"),
    ("IND_HEALTH_MEDICINE", "健康医药", "INDUSTRY"),
    # 农业特色优势产业
    ("AGR_TEA", "茶叶", "AGRICULTURE"),
    ("AGR_FUNGI", "食用菌", "AGRICULTURE"),
    ("AGR_VEGETABLES", "蔬菜", "AGRICULTURE"),
    ("AGR_CATTLE_SHEEP", "牛羊", "AGRICULTURE"),
    ("AGR_FORESTRY", "特色林业", "AGRICULTURE"),
    ("AGR_FRUIT", "水果", "AGRICULTURE"),
    ("AGR_PIGS", "生猪", "AGRICULTURE"),
    ("AGR_HERBS", "中药材", "AGRICULTURE"),
    ("AGR_ROSA", "刺梨", "AGRICULTURE"),
    ("AGR_FISHERY", "生态渔业", "AGRICULTURE"),
    ("AGR_CHILI", "辣椒", "AGRICULTURE"),
    ("AGR_POULTRY", "生态家禽", "AGRICULTURE"),
    # 现代服务业
    ("SRV_TOURISM", "文化旅游", "MODERN_SERVICES"),
    ("SRV_LOGISTICS", "现代物流", "MODERN_SERVICES"),
    ("SRV_FINANCE", "现代金融", "MODERN_SERVICES"),
    ("SRV_ELDERLY_CARE", "健康养老", "MODERN_SERVICES"),
    ("SRV_TECH", "科技服务", "MODERN_SERVICES"),
    ("SRV_COMMERCE", "商贸流通", "MODERN_SERVICES"),
    ("SRV_EXHIBITION", "会展服务", "MODERN_SERVICES"),
    ("SRV_SOFTWARE", "软件和信息技术服务", "MODERN_SERVICES"),
    # 其他
    ("OTH_INFRASTRUCTURE", "基础设施", "OTHER"),
    ("OTH_URBANISATION", "新型城镇化", "OTHER"),
]
