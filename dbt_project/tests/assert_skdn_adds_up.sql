-- D = N + T + O + B (domain.md "Growth monitoring (SKDN)").
select * from {{ ref('kelurahan_growth_monthly') }}
where d <> n + t + o + b
