// Arrays made with the element kind they will have. V8 keeps a kind per array (small integers, doubles, anything)
// and moves an array to a more general one on its first element that does not fit; code optimised for arrays
// of one kind leaves for the interpreter ("wrong map") when it meets one of another. A fresh state's empty `[]`s
// hold small integers until their first object, where the states the code warmed up on already hold objects:
// every hot function then deoptimised at a new state's first commands (bench:engine, a single run of steady
// ~10 % slower than the next one).

/** An empty array that holds objects from the start (an empty literal holds small integers). */
export function objectArray<T>(): T[] {
  const array = [undefined as T];
  array.pop();
  return array;
}
