self.importedValue = 42;
