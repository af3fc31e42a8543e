"""Chinese labels of the facts contract's codes: fact types, beneficiary kinds and every
enumerated value, for the pages where officers enter and read facts."""
from __future__ import annotations

from pool.awards.facts import COST_LABELS
from pool.awards.programme import LEVEL_LABELS
from pool.kernel.wording import phrase

TYPE_LABELS = {
    "qualification": phrase("获得资格认定（高企、示范企业、平台等）"), "patent_grant": phrase("专利授权"),
    "prize": phrase("获得专利奖"), "loan": phrase("知识产权质押贷款"), "fee": phrase("缴纳费用（评估、担保、保险、年费）"),
    "case": phrase("知识产权维权案件"), "rd_investment": phrase("研发投入"), "yearly_counts": phrase("机构年度数量"),
    "project": phrase("项目（导航、平台、任务、培训）"), "prior_award": phrase("已享受的奖补"),
}
BENEFICIARY_KIND_LABELS = {
    "enterprise": phrase("企业"), "individual": phrase("个人"), "financial_institution": phrase("金融机构"),
    "agency": phrase("服务机构（代理、评估等）"), "university": phrase("高校"), "research_institute": phrase("科研院所"),
    "host_unit": phrase("承建单位"), "region": phrase("县（市、区）、园区"), "school": phrase("中小学"),
    "other": phrase("其他受益人"),
}
_DESIGNATIONS = {
    "innovative_enterprise": phrase("创新型企业"), "innovative_leader": phrase("创新龙头企业"),
    "tech_innovation_demo": phrase("科技创新示范企业"), "energy_saving_demo": phrase("节能示范企业"),
    "tech_service_demo": phrase("科技服务示范机构"), "high_tech": phrase("高新技术企业"),
    "academician_station": phrase("院士工作站"), "postdoc_station": phrase("博士后工作站"),
    "innovation_team": phrase("创新团队"), "tech_branch": phrase("科技支行"),
    "ip_enterprise": phrase("知识产权优势（示范、领军）企业"), "gbt29490": phrase("知识产权管理规范（GB/T 29490）贯标"),
    "navigation_zone": phrase("专利导航实验区"), "info_service_node": phrase("知识产权信息公共服务网点"),
    "alliance_project": phrase("知识产权联盟"), "protection_centre": phrase("知识产权保护中心"),
    "rights_aid_station": phrase("维权援助工作站"), "university_training_base": phrase("高校知识产权培训基地"),
    "school_experimental_base": phrase("中小学知识产权教育实验基地"),
    "school_demonstration_base": phrase("中小学知识产权教育示范基地"),
}
_LEVELS = {"national": phrase("国家级"), "provincial": phrase("省级"), "municipal": phrase("市级"),
           "county": phrase("县级")}
VALUE_LABELS: dict[str, dict[str, str]] = {
    "designation": _DESIGNATIONS, "level": _LEVELS,
    "subtype": {"advantage": phrase("优势企业"), "demonstration": phrase("示范企业"), "leader": phrase("领军企业")},
    "kind": {"invention": phrase("发明专利"), "utility_model": phrase("实用新型专利"), "design": phrase("外观设计专利")},
    "grade": {"gold": phrase("金奖"), "silver": phrase("银奖"), "excellent": phrase("优秀奖")},
    "collateral": {"patent": phrase("专利权"), "trademark": phrase("商标权")},
    "fee": {"evaluation": phrase("评估费"), "guarantee": phrase("担保费"), "insurance": phrase("保证保险费"),
            "annual_fee": phrase("专利年费"), "patent_insurance": phrase("专利保险费")},
    "project": {"navigation": phrase("专利导航项目"), "platform": phrase("服务平台项目"),
                "provincial_task": phrase("省级任务"), "training": phrase("培训项目")},
    "funding_level": LEVEL_LABELS,
}
COSTS = COST_LABELS
