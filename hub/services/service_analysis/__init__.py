"""满意度分析 Satisfaction and service analysis of work orders (issue 12): figures, exports."""

from hub.services.service_analysis.complaint_figures import ComplaintFigures, DepartmentFigures
from hub.services.service_analysis.export import tables, to_csv, to_xlsx
from hub.services.service_analysis.figures import (
    Analysis,
    CategoryCount,
    ClockMet,
    Estate,
    Group,
    Ratings,
    RepeatFault,
    Score,
    StepTime,
    analyse,
)
from hub.services.service_analysis.judging import SlaMet

__all__ = [
    "Analysis",
    "CategoryCount",
    "ClockMet",
    "ComplaintFigures",
    "DepartmentFigures",
    "Estate",
    "Group",
    "Ratings",
    "RepeatFault",
    "Score",
    "SlaMet",
    "StepTime",
    "analyse",
    "tables",
    "to_csv",
    "to_xlsx",
]
