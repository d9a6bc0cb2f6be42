-- The cohort candidates (CDMv1 dataset/dataset.py extract_hadm_ids): admissions with ANY diagnosis whose title
-- contains a cohort phrase, with every matching title (Python maps them to pathologies), and what later queries
-- need: demographics, the window for events without hadm_id, and the first procedure date (extended mode).
-- Parameter: %(pattern)s, a case-insensitive regular expression of the cohort phrases.
INSERT INTO cdm_cohort (hadm_id, subject_id, titles, gender, age, win_start, win_end, first_proc)
SELECT f.hadm_id,
       f.subject_id,
       f.titles,
       p.gender,
       p.anchor_age + extract(YEAR FROM a.admittime)::int - p.anchor_year,
       w.first_in - interval '1 day',
       w.last_in,
       pr.first_proc
FROM (
  SELECT di.hadm_id, min(di.subject_id) AS subject_id, array_agg(DISTINCT d.long_title) AS titles
  FROM mimiciv_hosp.diagnoses_icd di
  JOIN mimiciv_hosp.d_icd_diagnoses d ON d.icd_code = di.icd_code AND d.icd_version = di.icd_version
  WHERE d.long_title ~* %(pattern)s
  GROUP BY di.hadm_id
) f
LEFT JOIN mimiciv_hosp.admissions a ON a.hadm_id = f.hadm_id
LEFT JOIN mimiciv_hosp.patients p ON p.subject_id = f.subject_id
LEFT JOIN LATERAL (
  SELECT min(t.intime) AS first_in, max(t.intime) AS last_in FROM mimiciv_hosp.transfers t WHERE t.hadm_id = f.hadm_id
) w ON true
LEFT JOIN LATERAL (
  SELECT min(pi.chartdate) AS first_proc FROM mimiciv_hosp.procedures_icd pi WHERE pi.hadm_id = f.hadm_id
) pr ON true
