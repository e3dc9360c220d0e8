CREATE TABLE `decision_facts` (
	`seq` integer PRIMARY KEY NOT NULL,
	`facts` text NOT NULL
);
