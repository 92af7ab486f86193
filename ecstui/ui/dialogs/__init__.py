"""Modal dialogs through which every change to AWS is asked for, checked, confirmed and sent."""
