/**
 * Background jobs that must run once across all app processes (reminders, catch-up of
 * notices a crash left behind): agenda on MongoDB, with a lock per job. See job-scheduler.ts.
 */
export { startJobScheduler, type JobScheduler, type JobSchedulerOptions, type PeriodicJob } from './job-scheduler.js';
