"""Preventive maintenance (保养/巡检计划, docs/maintenance.md), one module per job:

- `plans`: plans and their checklists (create, edit, list, delete while unused);
- `schedule`: the calendar's occurrences and due windows (pure date arithmetic);
- `usage`: usage counters from readings, incrementally through cursors;
- `generate`: tasks from plans, once per plan, asset and occurrence, assigned from the roster;
- `tasks`: the technician's steps (start, check items, photos, complete) and who sees what;
- `faults`: a failed checklist item opens one fault work order on the asset;
- `reminders`: the assignee told when the window opens, supervisors once when overdue;
- `compliance`: tasks due in a period and those done on time, per asset.
"""
