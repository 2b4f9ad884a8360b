"""The rules of reminders, below the core and above the sending.

* `calendar`: one place that knows the program calendar (working days,
  holidays, quiet periods, morning and nudge times);
* `planner`: program and pair state -> the reminder rows it calls for;
* `kinds`: the registry of reminder kinds (what each one says to whom, and
  what happens when it is sent);
* `render`: a claimed row -> a message in its reader's language;
* `store`: the outbox rows as the planner and the dispatcher write them.

`scheduler/` only claims, sends, records and wakes up.
"""
