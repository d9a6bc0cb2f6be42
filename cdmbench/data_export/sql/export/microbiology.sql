-- Microbiology events of the cohort (same admission / window rule as labs). Cancelled tests (comments containing
-- 'cancel') are dropped; one event per (micro_specimen_id, test_itemid, org_name): the lowest microevent_id.
-- Parameter: %(extended)s boolean (in_scope false for events on or after the first procedure date).
WITH ev AS (
  SELECT c.hadm_id, c.first_proc, m.microevent_id, m.micro_specimen_id, m.test_itemid, m.test_name,
         m.spec_type_desc, m.org_name, m.comments, coalesce(m.charttime, m.chartdate) AS charttime
  FROM cdm_cohort c
  JOIN mimiciv_hosp.microbiologyevents m ON m.hadm_id = c.hadm_id
  UNION ALL
  SELECT c.hadm_id, c.first_proc, m.microevent_id, m.micro_specimen_id, m.test_itemid, m.test_name,
         m.spec_type_desc, m.org_name, m.comments, coalesce(m.charttime, m.chartdate) AS charttime
  FROM cdm_cohort c
  JOIN mimiciv_hosp.microbiologyevents m
    ON m.subject_id = c.subject_id AND m.hadm_id IS NULL
   AND coalesce(m.charttime, m.chartdate) BETWEEN c.win_start AND c.win_end
), kept AS (
  SELECT DISTINCT ON (ev.hadm_id, ev.micro_specimen_id, ev.test_itemid, ev.org_name) ev.*
  FROM ev
  WHERE ev.test_itemid IS NOT NULL AND (ev.comments IS NULL OR ev.comments NOT ILIKE '%%cancel%%')
  ORDER BY ev.hadm_id, ev.micro_specimen_id, ev.test_itemid, ev.org_name, ev.microevent_id
)
SELECT k.hadm_id, k.test_itemid, k.test_name, k.spec_type_desc, k.org_name, k.comments,
       to_char(k.charttime, 'YYYY-MM-DD"T"HH24:MI:SS') AS charttime,
       (NOT %(extended)s OR k.first_proc IS NULL OR k.charttime < k.first_proc) AS in_scope
FROM kept k
ORDER BY k.hadm_id, k.charttime, k.test_itemid, k.microevent_id
