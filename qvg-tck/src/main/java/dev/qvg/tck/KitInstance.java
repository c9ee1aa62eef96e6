package dev.qvg.tck;

/** What {@link TckExtension} needs of a kit test instance: its settings and the provider it checks. */
interface KitInstance {

    /** Called before the first test with the run's settings. */
    void useSettings(TckSettings settings);

    /** The settings in use (from system properties when the extension did not run). */
    TckSettings currentSettings();

    /** The provider under test for failure messages, e.g. {@code backend 'cpu'}. */
    String subject();
}
