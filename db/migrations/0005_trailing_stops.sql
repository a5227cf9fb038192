ALTER TABLE "orders" ADD COLUMN "trailing_delta" integer;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "trailing_time" bigint;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "trailing_price" bigint;