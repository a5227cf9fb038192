CREATE TABLE "fee_tiers" (
	"account_id" bigint NOT NULL,
	"symbol" text NOT NULL,
	"maker_fee" bigint NOT NULL,
	"taker_fee" bigint NOT NULL,
	CONSTRAINT "fee_tiers_account_id_symbol_pk" PRIMARY KEY("account_id","symbol")
);
--> statement-breakpoint
CREATE TABLE "prevented_matches" (
	"prevented_match_id" bigint PRIMARY KEY NOT NULL,
	"symbol" text NOT NULL,
	"account_id" bigint NOT NULL,
	"taker_order_id" bigint NOT NULL,
	"maker_order_id" bigint NOT NULL,
	"price" bigint NOT NULL,
	"qty" bigint NOT NULL,
	"mode" text NOT NULL,
	"time" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "balances" DROP CONSTRAINT "balances_account_id_accounts_id_fk";
--> statement-breakpoint
ALTER TABLE "assets" ADD COLUMN "deposited" numeric(38, 0) DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "assets" ADD COLUMN "withdrawn" numeric(38, 0) DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "assets" ADD COLUMN "fees_collected" numeric(38, 0) DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "matcher_offsets" ADD COLUMN "queue_clock" bigint NOT NULL;--> statement-breakpoint
ALTER TABLE "matcher_offsets" ADD COLUMN "epoch" bigint NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "is_working" boolean NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "queued_at" bigint;--> statement-breakpoint
CREATE INDEX "prevented_matches_by_account" ON "prevented_matches" USING btree ("account_id","symbol","prevented_match_id");