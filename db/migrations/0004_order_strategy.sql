ALTER TABLE "orders" ADD COLUMN "strategy_id" bigint;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "strategy_type" bigint;