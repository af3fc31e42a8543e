"""The words the demo's enterprises are made of: industries, name parts,
people and partners — shared by the small demo (:mod:`pool.demo.data`) and the
bulk generator (:mod:`pool.demo.bulk`)."""
from decimal import Decimal

# (GB/T 4754-2017 class, product noun, name word) — typical Huangshi industries;
# 15 of the 20 classes are patent-intensive (2019 classification), 5 are not
# (steel structures, metal products, glass, steel rolling, copper rolling).
INDUSTRIES = (
    ("C3311", "钢结构件", "钢构"), ("C3399", "特种金属制品", "金属"), ("C3562", "半导体专用设备", "半导体装备"),
    ("C3841", "锂离子电池", "新能源"), ("C3985", "电子专用材料", "电子材料"), ("C3982", "印制电路板", "电路"),
    ("C2761", "生物药品", "生物医药"), ("C2710", "化学原料药", "制药"), ("C3360", "表面处理装备", "表面工程"),
    ("C3444", "液压元件", "液压"), ("C3516", "冶金专用设备", "冶金装备"), ("C3042", "特种玻璃", "玻璃"),
    ("C3130", "特钢型材", "特钢"), ("C3251", "铜合金材料", "铜材"), ("C2614", "有机化学原料", "化工"),
    ("C3589", "医疗器械", "医疗器械"), ("I6513", "工业软件", "软件"), ("M7320", "工程技术服务", "工程技术"),
    ("C4011", "工业自动化仪表", "仪表"), ("C3824", "电力电子元器件", "电气"),
)
NAME_PARTS = ("华新", "鑫鹏", "东贝", "劲牌", "三环", "晟祥", "美岛", "恒信", "楚天", "磁湖",
              "铜都", "矿冶", "黄金山", "港泰", "汇川", "海亮", "达诚", "力源", "瑞华", "宏宇",
              "金盛", "长乐", "信大", "中拓", "天诚", "博雅", "兴业", "泰和", "正和", "安达")
SUFFIXES = ("科技有限公司", "股份有限公司", "新材料有限公司", "智能装备有限公司", "技术有限公司")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
PARTNERS = ("湖北师范大学", "湖北理工学院", "武汉理工大学", "华中科技大学")
GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞")


def money(rng, low: int, high: int) -> Decimal:
    """An amount in 万元 with two decimals."""
    return Decimal(rng.randint(low * 100, high * 100)) / 100
