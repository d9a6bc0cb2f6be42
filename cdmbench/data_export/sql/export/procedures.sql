-- ICD procedures of the cohort, by seq_num, with their titles.
SELECT p.hadm_id, p.icd_code, d.long_title
FROM cdm_cohort c
JOIN mimiciv_hosp.procedures_icd p ON p.hadm_id = c.hadm_id
LEFT JOIN mimiciv_hosp.d_icd_procedures d ON d.icd_code = p.icd_code AND d.icd_version = p.icd_version
ORDER BY p.hadm_id, p.seq_num
