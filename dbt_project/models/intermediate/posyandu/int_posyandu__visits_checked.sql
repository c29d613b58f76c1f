-- Register rows with their fate: quarantined (a reason), a duplicate of the same visit in a more
-- recently modified file, or accepted. A view: the checked rows are kept by file, the duplicates are few.
{{ config(materialized='view') }}

select
    checked.*,
    duplicates.record_id is not null as is_duplicate
from {{ ref('int_posyandu__register_checked') }} as checked
left join {{ ref('int_posyandu__duplicate_visits') }} as duplicates on checked.record_id = duplicates.record_id
