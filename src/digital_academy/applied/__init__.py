"""Applied learning: capstone projects marked against rubrics and moderated, mentor
matching, and coaching records.

- ``rubric`` / ``capstone``: a capstone and its rubric as data, checked against the catalogue;
- ``marking`` / ``moderation`` / ``agreement`` / ``results``: marks, double marking, agreed
  marks, agreement statistics and per-competency results, all kept in a hash-chained,
  append-only evidence log (``ledger``);
- ``release``: the capstone as an nbgrader assignment, released and collected for real;
- ``mentors``: optimal mentor matching with explanations;
- ``coaching``: coaching sessions and agreed actions, visible to the learner and mentor only.
"""
