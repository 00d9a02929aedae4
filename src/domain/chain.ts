/**
 * An immutable singly linked list that new items are put in front of. Folded states keep their
 * settled holds and reversals in one: each event shares everything before it instead of copying
 * a growing map, so a long stream folds in linear time and cached states stay small. Lookups
 * walk the list; they happen only when a command names an old hold or transaction.
 */
export type Chain<T> = { readonly head: T; readonly rest: Chain<T> } | undefined;

export function prepend<T>(chain: Chain<T>, item: T): Chain<T> {
  return { head: item, rest: chain };
}

export function findIn<T>(chain: Chain<T>, matches: (item: T) => boolean): T | undefined {
  for (let link = chain; link; link = link.rest) if (matches(link.head)) return link.head;
  return undefined;
}
