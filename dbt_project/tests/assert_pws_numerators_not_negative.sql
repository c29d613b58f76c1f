select * from {{ ref('kelurahan_indicator_monthly') }}
where numerator_month < 0 or numerator_ytd < 0 or numerator_ytd < numerator_month and kind = 'event'
