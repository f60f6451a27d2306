"""What every cog uses: the gate before paid work, moving pictures, persistent buttons."""
