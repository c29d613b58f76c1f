-- Accepted register rows that repeat a visit (posyandu + person + service date) held by a more recently
-- modified file (sources.md "Versions of one record"). A duplicate depends on every file holding the
-- visit, so this is found over all checked rows on each build, from the few columns it needs.
with accepted as (
    select
        record_id,
        posyandu_code,
        visit_date,
        visit_person_hint,
        file_modified_at,
        source_file,
        source_line
    from {{ ref('int_posyandu__register_checked') }}
    where quarantine_reason is null
),

-- the visits recorded more than once, found by hashing: only their rows are sorted
repeated_visits as (
    select
        posyandu_code,
        visit_date,
        visit_person_hint
    from accepted
    group by all
    having count(*) > 1
)

select accepted.record_id
from accepted
semi join repeated_visits
    on
        accepted.posyandu_code is not distinct from repeated_visits.posyandu_code
        and accepted.visit_date is not distinct from repeated_visits.visit_date
        and accepted.visit_person_hint is not distinct from repeated_visits.visit_person_hint
qualify row_number() over (
    partition by accepted.posyandu_code, accepted.visit_date, accepted.visit_person_hint
    order by accepted.file_modified_at desc, accepted.source_file desc, accepted.source_line desc
) > 1
