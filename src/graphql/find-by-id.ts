import type { Collection, Filter, WithId } from 'mongodb';
import { parseId } from '../domain/ids.js';
import { awaitReadModels } from './consistency.js';
import type { GraphQLContext } from './context.js';
import { asUserInputError } from './input-errors.js';

/** A read-model document by id, once the read models have passed `consistentWith`. */
export async function findById<Doc extends { _id: string }>(
  context: GraphQLContext,
  collection: Collection<Doc>,
  args: { id: string | number; consistentWith?: bigint | null | undefined },
): Promise<WithId<Doc> | null> {
  const id = asUserInputError(() => parseId(String(args.id), 'id'));
  await awaitReadModels(context, args.consistentWith);
  return collection.findOne({ _id: id } as Filter<Doc>);
}
