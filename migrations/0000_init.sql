CREATE TABLE `audit_checkpoints` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`seq` integer NOT NULL,
	`hash` text NOT NULL,
	`time` text NOT NULL,
	`key_id` text NOT NULL,
	`signature` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `audit_events` (
	`seq` integer PRIMARY KEY NOT NULL,
	`time` text NOT NULL,
	`type` text NOT NULL,
	`actor` text NOT NULL,
	`outcome` text NOT NULL,
	`detail` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `certificates` (
	`serial` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`subject` text NOT NULL,
	`user_id` text,
	`device_id` text,
	`session_id` text,
	`grant_id` text,
	`fingerprint` text NOT NULL,
	`not_before` integer NOT NULL,
	`not_after` integer NOT NULL,
	`issued_at` integer NOT NULL,
	`revoked_at` integer,
	`revocation_reason` text,
	`pem` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `certificates_user` ON `certificates` (`user_id`);--> statement-breakpoint
CREATE INDEX `certificates_device` ON `certificates` (`device_id`);--> statement-breakpoint
CREATE INDEX `certificates_session` ON `certificates` (`session_id`);--> statement-breakpoint
CREATE INDEX `certificates_revoked` ON `certificates` (`revoked_at`);--> statement-breakpoint
CREATE TABLE `devices` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`name` text NOT NULL,
	`public_key` text NOT NULL,
	`state` text NOT NULL,
	`facts` text DEFAULT '{}' NOT NULL,
	`tier` text,
	`posture_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `devices_user` ON `devices` (`user_id`);--> statement-breakpoint
CREATE TABLE `policy_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`state` text NOT NULL,
	`files` text NOT NULL,
	`author` text NOT NULL,
	`message` text DEFAULT '' NOT NULL,
	`approved_by` text,
	`created_at` integer NOT NULL,
	`activated_at` integer
);
--> statement-breakpoint
CREATE INDEX `policy_versions_state` ON `policy_versions` (`state`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`issuer` text NOT NULL,
	`subject` text NOT NULL,
	`kind` text NOT NULL,
	`organization` text,
	`department` text,
	`display_name` text,
	`email` text,
	`roles` text DEFAULT '[]' NOT NULL,
	`disabled` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_issuer_subject` ON `users` (`issuer`,`subject`);