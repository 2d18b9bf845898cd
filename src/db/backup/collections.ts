import type { Db, Document } from 'mongodb';

/**
 * The collections a backup covers: every ordinary collection of the database but the
 * server's own `system.*` ones. Views and time-series collections are left out (Capacita
 * makes neither). The job scheduler's `scheduled_jobs` and the web sessions' `sessions`
 * are application data like the rest and are included.
 */
export async function dataCollections(db: Db): Promise<Array<{ name: string; options: Document }>> {
  const infos = await db.listCollections({ type: 'collection' }, { nameOnly: false }).toArray();
  return infos
    .filter((info) => !info.name.startsWith('system.'))
    .map((info) => ({ name: info.name, options: ('options' in info ? info.options : undefined) ?? {} }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The first of those collections that holds a document, if any does. */
export async function firstNonEmptyCollection(db: Db): Promise<string | undefined> {
  for (const { name } of await dataCollections(db)) {
    if (await db.collection(name).findOne({}, { projection: { _id: 1 } })) return name;
  }
  return undefined;
}
