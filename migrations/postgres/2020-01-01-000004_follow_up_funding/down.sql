DROP TABLE follow_ups;
DROP TABLE exchange_rates;
