"""Exchange: the store's data in and out of files — import, export, the calendar feed, backup."""
