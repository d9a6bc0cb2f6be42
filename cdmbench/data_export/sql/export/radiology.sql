-- Radiology reports of the cohort (same admission / window rule as labs) with their exam_name; a report without
-- one (an addendum) takes the exam_name of its parent_note_id (CDMv1 dataset/dataset.py extract_hadm_info).
-- Parameter: %(extended)s boolean (in_scope false for reports on or after the first procedure date).
WITH ev AS (
  SELECT c.hadm_id, c.first_proc, r.note_id, r.charttime, r.text
  FROM cdm_cohort c
  JOIN mimiciv_note.radiology r ON r.hadm_id = c.hadm_id
  UNION ALL
  SELECT c.hadm_id, c.first_proc, r.note_id, r.charttime, r.text
  FROM cdm_cohort c
  JOIN mimiciv_note.radiology r
    ON r.subject_id = c.subject_id AND r.hadm_id IS NULL AND r.charttime BETWEEN c.win_start AND c.win_end
)
SELECT ev.hadm_id, ev.note_id, coalesce(ex.field_value, px.field_value) AS exam_name, ev.text,
       to_char(ev.charttime, 'YYYY-MM-DD"T"HH24:MI:SS') AS charttime,
       (NOT %(extended)s OR ev.first_proc IS NULL OR ev.charttime < ev.first_proc) AS in_scope
FROM ev
LEFT JOIN LATERAL (
  SELECT d.field_value
  FROM mimiciv_note.radiology_detail d
  WHERE d.note_id = ev.note_id AND d.field_name = 'exam_name'
  ORDER BY d.field_ordinal
  LIMIT 1
) ex ON true
LEFT JOIN LATERAL (
  SELECT p.field_value
  FROM mimiciv_note.radiology_detail d
  JOIN mimiciv_note.radiology_detail p ON p.note_id = d.field_value AND p.field_name = 'exam_name'
  WHERE ex.field_value IS NULL AND d.note_id = ev.note_id AND d.field_name = 'parent_note_id'
  ORDER BY d.field_ordinal, p.field_ordinal
  LIMIT 1
) px ON true
ORDER BY ev.hadm_id, ev.charttime, ev.note_id
