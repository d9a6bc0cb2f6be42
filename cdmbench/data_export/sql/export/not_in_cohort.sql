-- Admissions that are not cohort candidates (no diagnosis title names one of the four pathologies).
SELECT a.hadm_id
FROM mimiciv_hosp.admissions a
WHERE NOT EXISTS (SELECT 1 FROM cdm_cohort c WHERE c.hadm_id = a.hadm_id)
ORDER BY a.hadm_id
