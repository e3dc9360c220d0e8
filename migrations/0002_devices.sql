CREATE TABLE `posture_reports` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`device_id` text NOT NULL,
	`collected_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`signals` text NOT NULL,
	`tier` text NOT NULL,
	`reasons` text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `posture_reports_device` ON `posture_reports` (`device_id`,`received_at`);--> statement-breakpoint
CREATE TABLE `service_principals` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`owner_user_id` text NOT NULL,
	`ae_titles` text DEFAULT '[]' NOT NULL,
	`host` text,
	`state` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
