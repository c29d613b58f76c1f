-- The indicator catalogue as published (outputs.md pws.dim_indicator), from the seed a district edits.
select
    indicator_code,
    indicator_name,
    indicator_name_en,
    life_cycle_group,
    kind,
    direction,
    unit,
    sasaran_key as denominator,
    denominator_type,
    target_annual,
    target_from_year,
    rule,
    rule_source as source
from {{ ref('indicator_catalogue') }}
