"""How departments and budget categories are named on the report (zh-CN, then English)."""

from __future__ import annotations

from hub.domain import BudgetCategory, DepartmentKind

DEPARTMENT_LABELS = {
    DepartmentKind.ENGINEERING: "工程部 Engineering",
    DepartmentKind.SECURITY: "安保部 Security",
    DepartmentKind.CUSTOMER_SERVICE: "客服部 Customer service",
    DepartmentKind.CLEANING: "保洁部 Cleaning",
    DepartmentKind.GREENING: "绿化部 Greening",
    DepartmentKind.ADMIN: "财务/行政部 Finance and admin",
}
CATEGORY_LABELS = {
    BudgetCategory.PROPERTY_FEE: "物业费 Property fee",
    BudgetCategory.UTILITIES: "水电 Utilities",
    BudgetCategory.PARKING: "停车 Parking",
    BudgetCategory.OTHER_INCOME: "其他收入 Other income",
    BudgetCategory.LABOUR: "人工 Labour",
    BudgetCategory.REPAIRS: "维修 Repairs and parts",
    BudgetCategory.COMMON_ENERGY: "公共能耗 Common energy",
    BudgetCategory.CLEANING: "保洁 Cleaning",
    BudgetCategory.GREENING: "绿化 Greening",
    BudgetCategory.SECURITY: "安保 Security",
    BudgetCategory.ADMIN: "行政 Admin",
    BudgetCategory.OTHER_COST: "其他支出 Other cost",
}
UNASSIGNED = "未分配 Unassigned"  # actuals of a department the estate has not set up
