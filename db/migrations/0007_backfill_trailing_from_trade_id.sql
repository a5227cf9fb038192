-- Custom SQL migration file, put your code below! --
-- Trailing stops already tracking before 0006 had their best price written at every move: it covers every trade
-- so far, so only trades from the next one on count toward it. Without this their best price would stay as it is
-- now (new highs are no longer written per order) and a later restart would go back to it.
UPDATE "orders" SET "trailing_from_trade_id" = coalesce((SELECT max("trade_id") FROM "trades"), 0) + 1
WHERE "trailing_time" IS NOT NULL AND "trailing_time" <> -1 AND "trailing_from_trade_id" IS NULL
  AND "status" IN ('NEW', 'PARTIALLY_FILLED') AND NOT "is_working";
