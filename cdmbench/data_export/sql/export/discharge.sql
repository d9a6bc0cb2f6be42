-- The discharge note of each cohort admission: the highest note_seq, ties broken by the latest charttime.
SELECT DISTINCT ON (n.hadm_id) n.hadm_id, n.text
FROM cdm_cohort c
JOIN mimiciv_note.discharge n ON n.hadm_id = c.hadm_id
ORDER BY n.hadm_id, n.note_seq DESC, n.charttime DESC
