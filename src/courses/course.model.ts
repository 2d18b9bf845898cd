import { Schema, type Connection } from 'mongoose';

/**
 * A course as imported from its files, with lessons rendered to safe HTML. Content
 * fields are replaced by each import; `facilitatorIds` belongs to the programme (set by
 * managers) and no import touches it. Lessons an import no longer finds are listed in
 * `removedLessons`, never silently dropped.
 */
const lessonSchema = new Schema(
  { slug: { type: String, required: true }, title: { type: String, required: true }, minutes: { type: Number, required: true }, html: { type: String, required: true } },
  { _id: false },
);

const moduleSchema = new Schema(
  {
    slug: { type: String, required: true },
    title: { type: String, required: true },
    lessons: { type: [lessonSchema], default: [] },
    quiz: { type: new Schema({ id: String, title: String, questionCount: Number }, { _id: false }), default: null },
  },
  { _id: false },
);

const courseSchema = new Schema(
  {
    _id: { type: String, required: true },
    title: { type: String, required: true },
    summary: { type: String, required: true },
    hours: { type: Number, required: true },
    language: { type: String, required: true },
    enrollment: { type: String, enum: ['open', 'cohort_only'], required: true },
    completion: { type: new Schema({ passingScore: Number, minLiveSessionsAttended: Number }, { _id: false }), required: true },
    certificate: {
      type: new Schema({ enabled: Boolean, signatories: [new Schema({ name: String, role: String, signature: String }, { _id: false })] }, { _id: false }),
      required: true,
    },
    modules: { type: [moduleSchema], default: [] },
    removedLessons: { type: [new Schema({ moduleSlug: String, slug: String, title: String, removedAt: Date }, { _id: false })], default: [] },
    facilitatorIds: { type: [String], default: [] },
    contentHash: { type: String, required: true },
    importedAt: { type: Date, required: true },
  },
  { collection: 'courses', versionKey: false },
);
courseSchema.index({ facilitatorIds: 1 });

/** A module quiz's question bank as imported (the quiz engine reads it). */
const quizSchema = new Schema(
  {
    _id: { type: String, required: true },
    courseSlug: { type: String, required: true },
    moduleSlug: { type: String, required: true },
    title: { type: String, required: true },
    settings: { type: Schema.Types.Mixed, required: true },
    questions: { type: [Schema.Types.Mixed], default: [] },
    source: { type: String, required: true },
    isArchived: { type: Boolean, default: false },
    importedAt: { type: Date, required: true },
  },
  { collection: 'course_quizzes', versionKey: false },
);
quizSchema.index({ courseSlug: 1 });

const compileCourse = (connection: Connection) => connection.model('Course', courseSchema);
const compileQuiz = (connection: Connection) => connection.model('CourseQuiz', quizSchema);

export interface CourseModels {
  Course: ReturnType<typeof compileCourse>;
  CourseQuiz: ReturnType<typeof compileQuiz>;
}

export function courseModels(connection: Connection): CourseModels {
  return {
    Course: (connection.models.Course as CourseModels['Course'] | undefined) ?? compileCourse(connection),
    CourseQuiz: (connection.models.CourseQuiz as CourseModels['CourseQuiz'] | undefined) ?? compileQuiz(connection),
  };
}
