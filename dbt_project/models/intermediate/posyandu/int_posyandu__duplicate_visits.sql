-- Accepted register rows that repeat a visit (posyandu + person + service date) held by a more recently
-- modified file (sources.md "Versions of one record"). A duplicate depends on every file holding the
-- visit, so this is found over all checked rows on each build, from the few columns it needs.
select record_id
from {{ ref('int_posyandu__register_checked') }}
where quarantine_reason is null
qualify row_number() over (
    partition by posyandu_code, visit_date, visit_person_hint
    order by file_modified_at desc, source_file desc, source_line desc
) > 1
