-- Kader at each month end: active by the roster's dates, and the competency badge (TKK) their latest
-- assessment of each of the 25 skills gives (domain.md "Kader competency"; seeds kader_skill_area and
-- kader_tkk_rule, which a district can change).
{{ config(materialized='view') }}

with spine as (
    {{ month_spine() }}
),

kader as (
    select * from {{ ref('stg_posyandu__kader') }}
),

active as (
    select
        kader.kader_code,
        kader.posyandu_code,
        spine.period_month,
        spine.month_end
    from kader
    inner join spine
        on
            kader.active_from <= spine.month_end
            and (
                kader.inactive_from > spine.period_month
                or (kader.inactive_from is null and kader.is_active_flag)
            )
),

latest_assessment as (
    select
        active.kader_code,
        active.period_month,
        assessments.skill_code,
        arg_max(assessments.is_competent, assessments.assessed_on) as is_competent
    from active
    inner join {{ ref('stg_posyandu__kader_penilaian') }} as assessments
        on active.kader_code = assessments.kader_code and assessments.assessed_on <= active.month_end
    group by all
),

areas as (
    select
        latest_assessment.kader_code,
        latest_assessment.period_month,
        skills.area_number,
        count(*) filter (where latest_assessment.is_competent) = max(area_sizes.skills) as is_complete
    from latest_assessment
    inner join {{ ref('kader_skill_area') }} as skills on latest_assessment.skill_code = skills.skill_code
    inner join (
        select
            area_number,
            count(*) as skills
        from {{ ref('kader_skill_area') }}
        group by area_number
    ) as area_sizes on skills.area_number = area_sizes.area_number
    group by all
),

complete_areas as (
    select
        kader_code,
        period_month,
        list(area_number) filter (where is_complete) as complete
    from areas
    group by all
),

levels as (
    select
        complete_areas.kader_code,
        complete_areas.period_month,
        max(rules.level_rank) as level_rank
    from complete_areas
    inner join {{ ref('kader_tkk_rule') }} as rules
        on
            list_has_all(
                complete_areas.complete,
                list_transform(string_split(rules.required_areas, ','), lambda a: a::integer)
            )
            and len(list_filter(
                complete_areas.complete,
                lambda a: not list_contains(
                    list_transform(string_split(rules.required_areas, ','), lambda r: r::integer), a
                )
            )) >= rules.other_complete_areas_at_least
    group by all
)

select
    active.kader_code,
    active.posyandu_code,
    active.period_month,
    coalesce(levels.level_rank, 0) as tkk_level_rank,
    case coalesce(levels.level_rank, 0) when 1 then 'purwa' when 2 then 'madya' when 3 then 'utama' end as tkk_level
from active
left join levels on active.kader_code = levels.kader_code and active.period_month = levels.period_month
