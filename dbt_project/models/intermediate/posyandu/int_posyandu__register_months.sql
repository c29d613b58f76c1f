-- Months for which registers landed (the month folder of current register files): the PWS series starts
-- at the first of them, so a trend needs a previous month at or after it.
{{ config(materialized='view') }}

select
    strptime(split_part(path, '/', 2), '%Y-%m')::date as period_month,
    count(*) as register_files
from {{ source('raw', 'current_file') }}
where source = 'posyandu_register' and status = 'loaded'
group by all
