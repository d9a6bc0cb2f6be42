-- Microbiology results of the cohort (same admission / window rule as labs), as CDMv1 (dataset/dataset.py,
-- dataset/labs.py parse_microbio): cancelled tests (org_itemid 90760, org_name CANCELLED), rows without charttime
-- and rows whose value (org_name, else comments) is NULL or '___' are dropped; then, per test_itemid, every row at
-- its earliest charttime, ordered by microevent_id (Python merges them into one result).
-- Parameter: %(extended)s boolean (in_scope false for results on or after the first procedure date).
WITH ev AS (
  SELECT c.hadm_id, c.first_proc, m.microevent_id, m.test_itemid, m.test_name, m.spec_type_desc, m.org_itemid,
         m.org_name, m.comments, m.charttime
  FROM cdm_cohort c
  JOIN mimiciv_hosp.microbiologyevents m ON m.hadm_id = c.hadm_id
  UNION ALL
  SELECT c.hadm_id, c.first_proc, m.microevent_id, m.test_itemid, m.test_name, m.spec_type_desc, m.org_itemid,
         m.org_name, m.comments, m.charttime
  FROM cdm_cohort c
  JOIN mimiciv_hosp.microbiologyevents m
    ON m.subject_id = c.subject_id AND m.hadm_id IS NULL AND m.charttime BETWEEN c.win_start AND c.win_end
), kept AS (
  SELECT ev.*, min(ev.charttime) OVER (PARTITION BY ev.hadm_id, ev.test_itemid) AS first_time
  FROM ev
  WHERE ev.test_itemid IS NOT NULL AND ev.charttime IS NOT NULL
    AND ev.org_itemid IS DISTINCT FROM 90760 AND upper(coalesce(ev.org_name, '')) <> 'CANCELLED'
    AND coalesce(nullif(ev.org_name, ''), ev.comments, '') NOT IN ('', '___')
)
SELECT k.hadm_id, k.test_itemid, k.test_name, k.spec_type_desc, nullif(k.org_name, ''), k.comments,
       to_char(k.charttime, 'YYYY-MM-DD"T"HH24:MI:SS') AS charttime,
       (NOT %(extended)s OR k.first_proc IS NULL OR k.charttime < k.first_proc) AS in_scope
FROM kept k
WHERE k.charttime = k.first_time
ORDER BY k.hadm_id, k.charttime, k.test_itemid, k.microevent_id
