-- Counts are never negative and a year-to-date sum never below its month. The drop-out (ratio_ytd) may be
-- negative when more children received MR1 than DPT-HB-Hib1 this year, a finding to show.
select * from {{ ref('kelurahan_indicator_monthly') }}
where
    kind <> 'ratio_ytd'
    and (numerator_month < 0 or numerator_ytd < 0 or (numerator_ytd < numerator_month and kind = 'event'))
