-- ICD diagnosis titles of the cohort, by seq_num.
SELECT di.hadm_id, d.long_title
FROM cdm_cohort c
JOIN mimiciv_hosp.diagnoses_icd di ON di.hadm_id = c.hadm_id
LEFT JOIN mimiciv_hosp.d_icd_diagnoses d ON d.icd_code = di.icd_code AND d.icd_version = di.icd_version
ORDER BY di.hadm_id, di.seq_num
