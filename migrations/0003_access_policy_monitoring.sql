CREATE TABLE `access_approvals` (
	`request_id` text NOT NULL,
	`approver_id` text NOT NULL,
	`decision` text NOT NULL,
	`comment` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `access_approvals_once` ON `access_approvals` (`request_id`,`approver_id`);--> statement-breakpoint
CREATE TABLE `access_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`requester_id` text NOT NULL,
	`requester_org` text NOT NULL,
	`target` text NOT NULL,
	`reason` text NOT NULL,
	`ticket` text,
	`start_at` integer NOT NULL,
	`end_at` integer NOT NULL,
	`state` text NOT NULL,
	`approvals_needed` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL,
	`decided_at` integer
);
--> statement-breakpoint
CREATE INDEX `access_requests_state` ON `access_requests` (`state`);--> statement-breakpoint
CREATE INDEX `access_requests_requester` ON `access_requests` (`requester_id`);--> statement-breakpoint
CREATE TABLE `alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`detected_at` integer NOT NULL,
	`score` integer NOT NULL,
	`explanation` text NOT NULL,
	`audit_seq` integer,
	`acknowledged_at` integer,
	`acknowledged_by` text
);
--> statement-breakpoint
CREATE INDEX `alerts_subject` ON `alerts` (`subject`,`detected_at`);--> statement-breakpoint
CREATE INDEX `alerts_open` ON `alerts` (`acknowledged_at`);--> statement-breakpoint
CREATE TABLE `analytics_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`seq` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `export_cursors` (
	`name` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `grants` (
	`id` text PRIMARY KEY NOT NULL,
	`request_id` text,
	`user_id` text NOT NULL,
	`target` text NOT NULL,
	`start_at` integer NOT NULL,
	`end_at` integer NOT NULL,
	`state` text NOT NULL,
	`break_glass` integer DEFAULT false NOT NULL,
	`reason` text,
	`revoked_at` integer,
	`revoked_by` text,
	`revoke_reason` text,
	`reviewed_at` integer,
	`reviewed_by` text,
	`review_note` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `grants_user` ON `grants` (`user_id`,`state`);--> statement-breakpoint
CREATE INDEX `grants_state_end` ON `grants` (`state`,`end_at`);--> statement-breakpoint
CREATE TABLE `policy_approvals` (
	`version_id` text NOT NULL,
	`approver_id` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `policy_approvals_once` ON `policy_approvals` (`version_id`,`approver_id`);--> statement-breakpoint
CREATE TABLE `review_items` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`subject_id` text NOT NULL,
	`summary` text NOT NULL,
	`created_at` integer NOT NULL,
	`reviewed_at` integer,
	`reviewed_by` text,
	`note` text
);
--> statement-breakpoint
CREATE INDEX `review_items_open` ON `review_items` (`reviewed_at`,`kind`);--> statement-breakpoint
CREATE TABLE `targets` (
	`name` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`address` text NOT NULL,
	`labels` text DEFAULT '{}' NOT NULL,
	`max_duration_seconds` integer,
	`recording` integer DEFAULT false NOT NULL,
	`source` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`removed_at` integer
);
