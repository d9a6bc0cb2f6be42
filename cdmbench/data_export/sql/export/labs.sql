-- Lab results of the cohort: events of the admission, plus events of the same patient without hadm_id charted in
-- [first transfer intime - 1 day, last transfer intime]. Events without a usable value are dropped first (CDMv1
-- dataset/dataset.py: the value string valuenum, else value unless '___', else flag, else comments, is NULL or
-- '___'). in_scope is false for events on or after the first procedure date in extended mode; value_rank is the
-- 0-based rank of the value within its itemid (and scope).
-- Parameters: %(extended)s boolean, %(per_item)s values kept per itemid.
WITH ev AS (
  SELECT c.hadm_id, c.first_proc, l.labevent_id, l.itemid, l.charttime, l.value, l.valuenum, l.valueuom, l.flag,
         l.comments, l.ref_range_lower, l.ref_range_upper
  FROM cdm_cohort c
  JOIN mimiciv_hosp.labevents l ON l.hadm_id = c.hadm_id
  UNION ALL
  SELECT c.hadm_id, c.first_proc, l.labevent_id, l.itemid, l.charttime, l.value, l.valuenum, l.valueuom, l.flag,
         l.comments, l.ref_range_lower, l.ref_range_upper
  FROM cdm_cohort c
  JOIN mimiciv_hosp.labevents l
    ON l.subject_id = c.subject_id AND l.hadm_id IS NULL AND l.charttime BETWEEN c.win_start AND c.win_end
), scoped AS (
  SELECT ev.*, (NOT %(extended)s OR ev.first_proc IS NULL OR ev.charttime < ev.first_proc) AS in_scope
  FROM ev
  WHERE ev.valuenum IS NOT NULL
     OR coalesce(ev.value, '') NOT IN ('', '___')
     OR (CASE WHEN coalesce(ev.flag, '') <> '' THEN ev.flag ELSE ev.comments END) NOT IN ('', '___')
), ranked AS (
  SELECT s.*,
         row_number() OVER (PARTITION BY s.hadm_id, s.in_scope, s.itemid ORDER BY s.charttime, s.labevent_id) - 1
           AS value_rank
  FROM scoped s
)
SELECT r.hadm_id, r.itemid, d.label, d.fluid, d.category, r.value, r.valuenum, r.valueuom, r.flag, r.comments,
       r.ref_range_lower, r.ref_range_upper, to_char(r.charttime, 'YYYY-MM-DD"T"HH24:MI:SS') AS charttime,
       r.value_rank, r.in_scope
FROM ranked r
LEFT JOIN mimiciv_hosp.d_labitems d ON d.itemid = r.itemid
WHERE r.value_rank < %(per_item)s
ORDER BY r.hadm_id, r.charttime, r.itemid, r.value_rank
