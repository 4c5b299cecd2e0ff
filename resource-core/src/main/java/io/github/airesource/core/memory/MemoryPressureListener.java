package io.github.airesource.core.memory;

/**
 * Told when the heap goes under pressure or comes out of it. Called on the JVM's
 * notification thread right after the collection that changed it: keep it short and never
 * block.
 */
@FunctionalInterface
public interface MemoryPressureListener {

	/**
	 * The pressure changed.
	 * @param snapshot the figures at the change, {@link MemorySnapshot#underPressure()}
	 * telling which way
	 */
	void pressureChanged(MemorySnapshot snapshot);

}
