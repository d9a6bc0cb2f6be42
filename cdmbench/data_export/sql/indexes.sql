-- Indexes create-benchmark needs (run by `cdmbench db-load` after the tables are loaded).
CREATE INDEX IF NOT EXISTS diagnoses_icd_hadm_idx ON mimiciv_hosp.diagnoses_icd (hadm_id, seq_num);
CREATE INDEX IF NOT EXISTS diagnoses_icd_seq_idx ON mimiciv_hosp.diagnoses_icd (seq_num, icd_code, icd_version);
CREATE INDEX IF NOT EXISTS d_icd_diagnoses_code_idx ON mimiciv_hosp.d_icd_diagnoses (icd_code, icd_version);
CREATE INDEX IF NOT EXISTS procedures_icd_hadm_idx ON mimiciv_hosp.procedures_icd (hadm_id, seq_num);
CREATE INDEX IF NOT EXISTS d_icd_procedures_code_idx ON mimiciv_hosp.d_icd_procedures (icd_code, icd_version);
CREATE INDEX IF NOT EXISTS admissions_hadm_idx ON mimiciv_hosp.admissions (hadm_id);
CREATE INDEX IF NOT EXISTS patients_subject_idx ON mimiciv_hosp.patients (subject_id);
CREATE INDEX IF NOT EXISTS transfers_hadm_idx ON mimiciv_hosp.transfers (hadm_id);
CREATE INDEX IF NOT EXISTS labevents_hadm_idx ON mimiciv_hosp.labevents (hadm_id);
CREATE INDEX IF NOT EXISTS labevents_subject_time_idx ON mimiciv_hosp.labevents (subject_id, charttime);
CREATE INDEX IF NOT EXISTS d_labitems_itemid_idx ON mimiciv_hosp.d_labitems (itemid);
CREATE INDEX IF NOT EXISTS microbiologyevents_hadm_idx ON mimiciv_hosp.microbiologyevents (hadm_id);
CREATE INDEX IF NOT EXISTS microbiologyevents_subject_idx ON mimiciv_hosp.microbiologyevents (subject_id);
CREATE INDEX IF NOT EXISTS discharge_hadm_idx ON mimiciv_note.discharge (hadm_id);
CREATE INDEX IF NOT EXISTS radiology_hadm_idx ON mimiciv_note.radiology (hadm_id);
CREATE INDEX IF NOT EXISTS radiology_subject_idx ON mimiciv_note.radiology (subject_id, charttime);
CREATE INDEX IF NOT EXISTS radiology_detail_note_idx ON mimiciv_note.radiology_detail (note_id, field_name);
